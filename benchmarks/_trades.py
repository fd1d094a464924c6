"""The benchmark series, shared by every benchmark: 1M trades, as models of each library.

A trade: 3 tags (instrument: 50 values, side: BUY/SELL, venue: 5 values) and 3 fields
(price float, size int, trade_id str), with distinct nanosecond timestamps: the same
series as ``dataframes.make_frame``. Everything is deterministic (seeded).
"""

from __future__ import annotations

import enum
import random
from typing import Any, NamedTuple

import influxorm as orm

ROWS = 1_000_000
MEASUREMENT = "trades"
DATABASE = "bench"
START_NS = 1_704_067_200_000_000_000  # 2024-01-01T00:00:00Z
SYMBOLS = [f"SYM{i:02d}" for i in range(50)]
VENUES = ["XNAS", "XNYS", "BATS", "ARCA", "IEX"]


class Side(enum.Enum):
    BUY = "BUY"
    SELL = "SELL"


class Trade(orm.Measurement, name=MEASUREMENT):
    """The influxorm model (the DESIGN's Trade, with an int-nanosecond time)."""

    time: int = orm.time()
    instrument: str = orm.tag()
    side: Side = orm.tag()
    venue: str = orm.tag()
    price: float = orm.field()
    size: int = orm.field()
    trade_id: str = orm.field()


def rows(count: int = ROWS) -> list[tuple[int, str, str, str, float, int, str]]:
    """``(time_ns, instrument, side, venue, price, size, trade_id)`` tuples."""
    rng = random.Random(0)
    out = []
    for i in range(count):
        out.append(
            (
                START_NS + i * 997 + rng.randrange(997),
                SYMBOLS[rng.randrange(50)],
                "BUY" if rng.random() < 0.5 else "SELL",
                VENUES[rng.randrange(5)],
                rng.random() * 500,
                rng.randrange(1, 10_000),
                f"{rng.getrandbits(48):012x}",
            )
        )
    return out


def influxorm_trades(count: int = ROWS) -> list[Trade]:
    """The series as influxorm model instances (built through ``__init__``)."""
    side = {"BUY": Side.BUY, "SELL": Side.SELL}
    return [
        Trade(time=t, instrument=i, side=side[s], venue=v, price=p, size=n, trade_id=d)
        for t, i, s, v, p, n, d in rows(count)
    ]


def aioinflux_class() -> Any:
    """The series' class for aioinflux's ``@lineprotocol`` (a NamedTuple, as its docs)."""
    from aioinflux import FLOAT, INT, STR, TAG, TAGENUM, TIMEINT, lineprotocol

    schema = {
        "time": TIMEINT,
        "instrument": TAG,
        "side": TAGENUM,
        "venue": TAG,
        "price": FLOAT,
        "size": INT,
        "trade_id": STR,
    }
    # The class name is the measurement (this module uses postponed annotations, so
    # the schema is given explicitly).
    cls = NamedTuple(MEASUREMENT, list(schema.items()))  # type: ignore[misc]
    return lineprotocol(cls, schema=schema)


def aioinflux_trades(count: int = ROWS) -> list[Any]:
    """The series as instances of :func:`aioinflux_class` (its lines say ``trades``)."""
    cls = aioinflux_class()
    side = {"BUY": Side.BUY, "SELL": Side.SELL}
    return [cls(t, i, side[s], v, p, n, d) for t, i, s, v, p, n, d in rows(count)]


def dict_points(count: int = ROWS) -> list[dict[str, Any]]:
    """The series as influxdb-python / influxdb-client dict points."""
    return [
        {
            "measurement": MEASUREMENT,
            "time": t,
            "tags": {"instrument": i, "side": s, "venue": v},
            "fields": {"price": p, "size": n, "trade_id": d},
        }
        for t, i, s, v, p, n, d in rows(count)
    ]


def aioinflux_shims() -> None:
    """Let aioinflux 0.9 run on numpy 2 (it uses ``np.float``, removed in numpy 1.24).

    Applied in benchmark processes only, after pandas is imported.
    """
    import numpy as np
    import pandas  # noqa: F401  (imported before the shim: numpy.ma must load unpatched)

    if "float" not in np.__dict__:
        np.float = float  # type: ignore[attr-defined]


def wait_until_idle(pid: int | None, *, quiet: float = 0.1, window: float = 0.5) -> None:
    """Wait (up to a minute) until process ``pid`` (the server) uses less than ``quiet``
    of a core over ``window`` seconds: a snapshot or compaction left over from the
    previous case must not run during the next one."""
    import os
    import time

    if pid is None:
        return
    tick = os.sysconf("SC_CLK_TCK")

    def cpu_seconds() -> float:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        before = cpu_seconds()
        time.sleep(window)
        if cpu_seconds() - before < quiet * window:
            return
