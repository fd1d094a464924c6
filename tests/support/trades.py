"""The one test model of a trade (DESIGN.md's), shared by the model unit tests and the
integration tests; the examples and the CLI demo keep their own, and the query tests
(compiler tables, a ``source`` tag) theirs."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import influxorm as orm

__all__ = ["Side", "Trade"]


class Side(Enum):
    BUY = "BUY"
    SELL = "SELL"


class Trade(orm.Measurement, name="trades"):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    side: Side = orm.tag()
    price: float = orm.field()
    size: int = orm.field()
    trade_id: str = orm.field()
    note: str | None = orm.field(default=None)
