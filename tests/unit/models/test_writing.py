"""encode_lines: everything write() accepts, validated before anything is returned."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from model_examples import Event, Reading, Side, Trade

from influxorm.exceptions import ValidationError
from influxorm.models.writing import encode_lines


def trade(**changes: object) -> Trade:
    values: dict[str, object] = {
        "time": 5,
        "instrument": "A",
        "side": Side.BUY,
        "price": 1.5,
        "size": 1,
        "trade_id": "t",
    }
    values.update(changes)
    return Trade(**values)  # type: ignore[arg-type]


LINE = 'trades,instrument=A,side=BUY price=1.5,size=1i,trade_id="t" 5'


def test_single_items() -> None:
    assert encode_lines(trade()) == [LINE]
    assert encode_lines({"measurement": "m", "fields": {"f": 1.0}, "time": 1}) == ["m f=1.0 1"]
    assert encode_lines("m f=1 1\nm f=2 2\n\n") == ["m f=1 1\nm f=2 2"]
    assert encode_lines(b"m f=1 1\n") == ["m f=1 1"]
    assert encode_lines(bytearray(b"m f=1 1")) == ["m f=1 1"]
    assert encode_lines("") == []


def test_mixed_iterables_keep_order() -> None:
    data = [
        trade(),
        trade(size=2),
        Event(host="h"),
        "raw 1",
        {"measurement": "m", "fields": {"f": True}},
        trade(),
    ]
    lines = encode_lines(iter(data))
    assert lines == [
        LINE,
        LINE.replace("size=1i", "size=2i"),
        "Event,host\\ name=h _placeholder=true",
        "raw 1",
        "m f=true",
        LINE,
    ]
    assert encode_lines(tuple(data)) == lines
    assert encode_lines([]) == []


def test_stamp_ns_stamps_points_without_time() -> None:
    lines = encode_lines(
        [Event(host="h"), {"measurement": "m", "fields": {"f": 1}}, trade()], stamp_ns=9
    )
    assert lines == ["Event,host\\ name=h _placeholder=true 9", "m f=1i 9", LINE]
    with pytest.raises(ValidationError, match="stamp_ns"):
        encode_lines([], stamp_ns=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="outside the range"):
        encode_lines([], stamp_ns=2**63)


def test_one_bad_point_fails_the_whole_write_and_says_which() -> None:
    data = [trade(), trade(), trade(price=math.nan), trade()]
    with pytest.raises(ValidationError, match="finite") as info:
        encode_lines(data)
    assert "(item 2 of the data written)" in info.value.__notes__
    with pytest.raises(ValidationError) as info:
        encode_lines(["ok", {"measurement": "m", "fields": {}}])
    assert "(item 1 of the data written)" in info.value.__notes__


@pytest.mark.parametrize("data", [1, None, 1.5, object(), [1], [trade(), None], b"\xff"])
def test_unwritable_data(data: object) -> None:
    with pytest.raises(ValidationError):
        encode_lines(data)


def test_reading_with_datetime_now_is_exact() -> None:
    now = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    (line,) = encode_lines(trade(time=now))
    assert line.endswith(" 1714979289123456000")
    (line,) = encode_lines(Reading(time=3, value=2.0))
    assert line == "readings,site=lab\\ 1 value=2.0 3"
