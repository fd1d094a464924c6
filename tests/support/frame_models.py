"""Models for the model-driven DataFrame tests, unit and integration (module level, so
type hints resolve)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum, IntEnum

import influxorm as orm


class Side(Enum):
    BUY = "BUY"
    SELL = "SELL"


class Level(IntEnum):
    LOW = 1
    HIGH = 2


class Fill(orm.Measurement, name="fills", extra_tags={"desk": "eq 1"}):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    side: Side = orm.tag()
    price: float = orm.field()
    size: int = orm.field()
    qty: int | None = orm.field(default=None)
    ok: bool | None = orm.field(default=None)
    level: Level | None = orm.field(default=None)
    note: str | None = orm.field(name="memo", default=None)


class Marker(orm.Measurement, name="markers"):
    time: int = orm.time()
    host: str = orm.tag()
