"""Rows of a result series -> model instances with the declared types restored."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from model_examples import Event, Level, Reading, Side, Tick, Trade

import influxorm as orm
from influxorm.exceptions import ValidationError
from influxorm.models.hydration import hydrate_series, hydrator_for, make_hydrator_source
from influxorm.models.schema import schema_of

NS = 1_704_153_600_000_000_123  # 2024-01-02T00:00:00.000000123Z


def test_trade_rows_get_declared_types() -> None:
    columns = ["time", "instrument", "note", "price", "side", "size", "trade_id", "other"]
    rows = [
        [NS, "AAPL", None, 219, "BUY", 100, "a", 1],
        [NS + 1000, "MSFT", "n", 1.5, "SELL", 2, "b", 2],
    ]
    first, second = hydrate_series(Trade, columns, rows)
    assert first == Trade(
        time=datetime(2024, 1, 2, tzinfo=UTC),
        instrument="AAPL",
        side=Side.BUY,
        price=219.0,
        size=100,
        trade_id="a",
    )
    assert type(first.price) is float
    assert first.side is Side.BUY
    assert second.time == datetime(2024, 1, 2, 0, 0, 0, 1, tzinfo=UTC)
    assert second.note == "n"


def test_time_types() -> None:
    (event,) = hydrate_series(Event, ["time", "host name"], [[NS, "h"]])
    assert event.time == "2024-01-02T00:00:00.000000123Z"
    assert event.host == "h"
    (tick,) = hydrate_series(Tick, ["time", "bid price", "symbol"], [[NS, 2, "S"]])
    assert tick.time == pd.Timestamp(NS, tz="UTC")
    assert tick.time.value == NS
    assert tick.bid == 2.0
    (reading,) = hydrate_series(Reading, ["time", "value"], [[NS, 1]])
    assert reading.time == NS
    (reading,) = hydrate_series(Reading, ["time", "value"], [["2024-01-02T00:00:00.000000123Z", 1]])
    assert reading.time == NS


def test_absent_and_null_values() -> None:
    (reading,) = hydrate_series(Reading, ["time", "sensor", "ok", "level"], [[1, "", None, 2]])
    assert reading.sensor is None  # optional tag: absent -> None
    assert reading.value is None
    assert reading.ok is None
    assert reading.level is Level.HIGH
    # only(): the columns left out on purpose hold None (or their default).
    (t,) = hydrate_series(Trade, ["time", "price"], [[1, 1.5]], partial=True)
    assert t.instrument == ""  # required tag absent: InfluxDB's empty tag
    assert t.size is None
    assert t.side is None


def test_a_required_field_a_point_lacks_is_an_error_naming_the_point() -> None:
    columns = ["time", "instrument", "price", "side", "size", "trade_id"]
    good = [NS, "AAPL", 1.5, "BUY", 3, "a"]
    lacking = [NS + 1, "MSFT", 2.5, "SELL", None, "b"]
    with pytest.raises(ValidationError) as caught:
        hydrate_series(Trade, columns, [good, lacking])
    assert str(caught.value) == (
        "Trade.size: the stored point at 2024-01-02T00:00:00.000000124Z (instrument='MSFT', "
        "side='SELL') has no field 'size', which Trade declares without a default; to read "
        "such points declare `size: int | None = orm.field(default=None)` (or another "
        "default)"
    )
    assert (caught.value.model, caught.value.attribute) == ("Trade", "size")


@pytest.mark.parametrize(("index", "attr"), [(2, "price"), (5, "trade_id"), (3, "side")])
def test_every_kind_of_required_column_is_checked(index: int, attr: str) -> None:
    columns = ["time", "instrument", "price", "side", "size", "trade_id"]
    row: list[object] = [NS, "AAPL", 1.5, "BUY", 3, "a"]
    row[index] = None
    with pytest.raises(ValidationError, match=rf"^Trade\.{attr}: the stored point at 2024"):
        hydrate_series(Trade, columns, [row])
    # Also when only() selected the column: a selected column is read, not left out.
    with pytest.raises(ValidationError, match=rf"^Trade\.{attr}: "):
        hydrate_series(Trade, columns, [row], partial=True)


def test_a_required_column_absent_from_the_series_is_an_error() -> None:
    # The measurement never had the field: SELECT * has no column for it.
    with pytest.raises(
        ValidationError, match=r"^Trade\.trade_id: .*\(instrument='A', side='BUY'\)"
    ):
        hydrate_series(
            Trade, ["time", "instrument", "price", "side", "size"], [[1, "A", 1.0, "BUY", 2]]
        )
    # A GROUP BY tag names the point too.
    with pytest.raises(
        ValidationError, match=r"\(instrument='X', side='SELL'\) has no field 'size'"
    ):
        hydrate_series(
            Trade,
            ["time", "price", "size", "trade_id"],
            [[1, 1.0, None, "t"]],
            {"instrument": "X", "side": "SELL"},
        )
    with pytest.raises(ValidationError, match=r"has no tag 'side'"):
        hydrate_series(
            Trade,
            ["time", "price", "size", "trade_id"],
            [[1, 1.0, 2, "t"]],
            {"instrument": "X", "side": ""},
        )


def test_group_by_tags_come_from_the_series() -> None:
    rows = hydrate_series(
        Trade,
        ["time", "price", "size", "trade_id"],
        [[1, 1, 1, "a"], [2, 2, 2, "b"]],
        {"instrument": "AAPL", "side": "SELL"},
    )
    assert [(r.instrument, r.side, r.price) for r in rows] == [
        ("AAPL", Side.SELL, 1.0),
        ("AAPL", Side.SELL, 2.0),
    ]


def test_defaults_fill_absent_columns() -> None:
    class WithDefaults(orm.Measurement):
        time: int = orm.time()
        host: str = orm.tag(default="unknown")
        count: int = orm.field(default=0)
        names: str = orm.field(default_factory=lambda: "made")

    (row,) = hydrate_series(WithDefaults, ["time"], [[5]])
    assert (row.time, row.host, row.count, row.names) == (5, "unknown", 0, "made")


def test_unknown_enum_value_is_reported() -> None:
    with pytest.raises(ValidationError, match=r"Trade\.side.*'HOLD'"):
        hydrate_series(Trade, ["time", "side"], [[1, "HOLD"]])


def test_factories_are_cached_per_column_list() -> None:
    one = hydrator_for(Trade, ["time", "price"])
    assert hydrator_for(Trade, ["time", "price"]) is one
    assert hydrator_for(Trade, ["price", "time"]) is not one
    assert (
        one.__code__.co_filename == "<influxorm generated hydrator support.trades.Trade time,price>"
    )


def test_make_hydrator_source_is_pure() -> None:
    source, globs = make_hydrator_source(schema_of(Trade), ["time", "price"], ["side"])
    assert source.startswith("def hydrate(values, tags):")
    assert "tags['side']" in source
    assert globs["_cls"] is Trade
    assert hydrate_series(Trade, ["time"], []) == []
