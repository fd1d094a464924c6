"""Models shared by the model unit tests (module level, so type hints resolve)."""

from __future__ import annotations

from enum import IntEnum

import pandas as pd
from support.trades import Side, Trade

import influxorm as orm

__all__ = ["Event", "Level", "Reading", "Side", "Tick", "Trade"]


class Level(IntEnum):
    LOW = 1
    HIGH = 2


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
