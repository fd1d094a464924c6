"""Validate first, encode later: ``check_many`` and ``model_line_batches``."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from model_examples import Event, Reading, Side, Trade

from influxorm.exceptions import ValidationError
from influxorm.models.writing import encode_lines, model_line_batches


def trade(**changes: object) -> Trade:
    values: dict[str, object] = {
        "time": datetime(2024, 1, 2, tzinfo=UTC),
        "instrument": "AAPL",
        "side": Side.BUY,
        "price": 219.23,
        "size": 100,
        "trade_id": "34a1",
    }
    values.update(changes)
    return Trade(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"price": math.nan}, "finite"),
        ({"price": "1.0"}, "needs a float"),
        ({"size": 2**63}, "signed 64-bit"),
        ({"trade_id": 5}, "needs a str"),
        ({"instrument": "a\nb"}, "line feed"),
        ({"side": "HOLD"}, "Side member"),
        ({"time": None}, "not a time"),
        ({"time": datetime(3000, 1, 1)}, "outside the range"),
    ],
)
def test_check_many_raises_what_encode_many_raises(
    changes: dict[str, object], message: str
) -> None:
    encoder = Trade.__influxorm_encoder__
    points = [trade(), trade(**changes)]
    with pytest.raises(ValidationError, match=message) as encoding:
        encoder.encode_many(points)
    with pytest.raises(ValidationError, match=message) as checking:
        encoder.check_many(points)
    assert str(checking.value) == str(encoding.value)


def test_check_many_accepts_what_encode_many_accepts() -> None:
    points = [trade(price=3, side="SELL", trade_id='a"b'), trade(instrument="")]
    Trade.__influxorm_encoder__.check_many(points)
    Event.__influxorm_encoder__.check_many([Event(host="h")], 5)  # no fields, optional time
    Reading.__influxorm_encoder__.check_many([Reading(time=1, value=2.0)])


def test_batches_are_the_lines_of_encode_lines() -> None:
    points = [trade(size=i, instrument=f"I{i % 7}") for i in range(23)]
    points[10:15] = [Reading(time=i, value=float(i)) for i in range(5)]  # type: ignore[list-item]
    prepared = model_line_batches(points, 4, stamp_ns=5)
    assert prepared is not None
    count, batches = prepared
    chunks = list(batches)
    assert count == 23
    assert [len(c) for c in chunks] == [4, 4, 4, 4, 4, 3]
    assert [line for c in chunks for line in c] == encode_lines(points, stamp_ns=5)


def test_a_bad_point_raises_before_any_batch() -> None:
    points = [trade() for _ in range(10)]
    points[7] = trade(price=math.inf)
    with pytest.raises(ValidationError, match="finite") as info:
        model_line_batches(points, 3)
    assert "(item 7 of the data written)" in (info.value.__notes__ or [])


@pytest.mark.parametrize(
    "data", [[], "trades x=1", [trade(), {"measurement": "m", "fields": {"x": 1}}], trade()]
)
def test_other_data_is_left_to_encode_lines(data: object) -> None:
    assert model_line_batches(data, 10) is None


def test_bad_arguments() -> None:
    with pytest.raises(ValidationError, match="batch_size"):
        model_line_batches([trade()], 0)
    with pytest.raises(ValidationError, match="stamp_ns"):
        model_line_batches([trade()], 1, stamp_ns=1.5)  # type: ignore[arg-type]


def test_check_many_refuses_an_empty_field_set() -> None:
    with pytest.raises(ValidationError, match="every field is None"):
        Reading.__influxorm_encoder__.check_many([Reading(time=1)])
