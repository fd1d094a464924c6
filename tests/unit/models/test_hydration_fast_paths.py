"""Hydration's fast paths: the GC pause is undone, None and whole floats still handled."""

from __future__ import annotations

import gc

from model_examples import Reading, Side, Trade

from influxorm.models.hydration import hydrate_series

COLUMNS = ["time", "instrument", "price", "side", "size", "trade_id"]


def test_gc_state_is_restored() -> None:
    row = [1_704_153_600_000_000_000, "AAPL", 1.5, "BUY", 3, "x"]
    assert gc.isenabled()
    hydrate_series(Trade, COLUMNS, [row])
    assert gc.isenabled()
    gc.disable()
    try:
        hydrate_series(Trade, COLUMNS, [row])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_plain_fields_keep_none_and_convert_whole_numbers() -> None:
    (reading,) = hydrate_series(Reading, ["time", "value", "ok"], [[5, 2, None]])
    assert reading.time == 5
    assert reading.value == 2.0
    assert type(reading.value) is float
    assert reading.ok is None
    (trade,) = hydrate_series(Trade, COLUMNS, [[1, "A", 2, "SELL", 4.0, "t"]])
    assert trade.price == 2.0
    assert type(trade.price) is float
    assert trade.size == 4
    assert type(trade.size) is int
    assert trade.side is Side.SELL
    assert trade.trade_id == "t"
