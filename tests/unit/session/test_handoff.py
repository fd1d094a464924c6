"""The blocking writer's hand-over buffer: order, targets and counts are kept."""

from __future__ import annotations

from influxorm.session.writer import Handoff

A = ("a", None)
B = ("b", None)


def test_points_and_groups_keep_their_order_and_targets() -> None:
    handoff = Handoff()
    assert handoff.add_point(A, "p1") == 1
    assert handoff.add_point(A, "p2") == 2
    assert handoff.add([(A, ["raw 3", "raw 4"], 3, None)]) == 5
    assert handoff.add_point(A, "p5") == 6
    assert handoff.add_point(B, "p6") == 7
    assert handoff.add_point(A, "p7") == 8
    assert handoff.take() == [
        (A, ["p1", "p2"], 2, True),
        (A, ["raw 3", "raw 4"], 3, None),
        (A, ["p5"], 1, True),
        (B, ["p6"], 1, True),
        (A, ["p7"], 1, True),
    ]
    assert handoff.points == 0
    assert handoff.take() == []


def test_a_point_after_take_starts_a_new_run() -> None:
    handoff = Handoff()
    handoff.add_point(A, "p1")
    taken = handoff.take()
    handoff.add_point(A, "p2")
    assert taken == [(A, ["p1"], 1, True)]  # not grown by the later point
    assert handoff.take() == [(A, ["p2"], 1, True)]
