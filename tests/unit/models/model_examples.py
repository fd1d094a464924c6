"""Models shared by the model unit tests (module level, so type hints resolve)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum, IntEnum

import pandas as pd

import influxorm as orm


class Side(Enum):
    BUY = "BUY"
    SELL = "SELL"


class Level(IntEnum):
    LOW = 1
    HIGH = 2


class Trade(orm.Measurement, name="trades"):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    side: Side = orm.tag()
    price: float = orm.field()
    size: int = orm.field()
    trade_id: str = orm.field()
    note: str | None = orm.field(default=None)


class Reading(orm.Measurement, name="readings", extra_tags={"site": "lab 1"}):
    time: int = orm.time()
    sensor: str | None = orm.tag(default=None)
    value: float | None = orm.field(default=None)
    ok: bool | None = orm.field(default=None)
    level: Level | None = orm.field(default=None)


class Event(orm.Measurement):
    time: str | None = orm.time(default=None)
    host: str = orm.tag(name="host name")


class Tick(orm.Measurement, name="ticks", database="market", retention_policy="week"):
    time: pd.Timestamp = orm.time()
    symbol: str = orm.tag()
    bid: float = orm.field(name="bid price")
