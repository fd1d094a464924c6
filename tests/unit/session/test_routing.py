"""One routing rule for write() and the bulk writer (session.routing.route)."""

from __future__ import annotations

from datetime import datetime

import influxorm as orm
from influxorm.session.routing import NO_MODEL_TARGET, group_by_model_target, route


class Plain(orm.Measurement, name="plain"):
    time: datetime = orm.time()
    x: float = orm.field()


class Archived(orm.Measurement, name="archived", database="archive", retention_policy="year"):
    time: datetime = orm.time()
    x: float = orm.field()


def _where(key: tuple[str | None, str | None], **kw: object) -> tuple[str, str | None] | None:
    target = route(key, precision=None, **kw)  # type: ignore[arg-type]
    return None if target is None else (target.db, target.rp)


def test_a_models_database_and_retention_policy_win_over_the_default() -> None:
    assert _where(("archive", "year"), db="main", rp=None) == ("archive", "year")
    assert _where(NO_MODEL_TARGET, db="main", rp=None) == ("main", None)


def test_rp_overrides_only_the_retention_policy() -> None:
    assert _where(("archive", "year"), db="main", rp="week") == ("archive", "week")
    assert _where((None, "year"), db="main", rp=None) == ("main", "year")


def test_no_database_anywhere_is_none_for_the_caller_to_explain() -> None:
    assert _where(NO_MODEL_TARGET, db=None, rp="week") is None
    assert _where((None, "year"), db="", rp=None) is None


def test_grouping_keeps_order_and_leaves_plain_writes_alone() -> None:
    t = datetime(2024, 1, 1)
    plain, archived = Plain(time=t, x=1.0), Archived(time=t, x=2.0)
    assert group_by_model_target([plain, plain]) is None
    groups = group_by_model_target([plain, archived, plain])
    assert groups == {NO_MODEL_TARGET: [plain, plain], ("archive", "year"): [archived]}
