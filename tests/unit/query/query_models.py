"""Models the query tests compile against."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import influxorm as orm


class Side(Enum):
    BUY = "BUY"
    SELL = "SELL"


class Level(Enum):
    LOW = 1
    HIGH = 2


class Trade(orm.Measurement, name="trades"):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    side: Side = orm.tag()
    source: str | None = orm.tag(default=None)
    price: float = orm.field()
    size: int = orm.field()
    trade_id: str = orm.field()
    flagged: bool = orm.field(default=False)
    level: Level | None = orm.field(default=None)
    note: str | None = orm.field(default=None)


class Quote(orm.Measurement, name='quo"tes', database="market", retention_policy="one year"):
    time: datetime = orm.time()
    venue: str = orm.tag(name="venue key")
    bid: float = orm.field(name="bid price")
