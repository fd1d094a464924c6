"""Type checkers see each model's generated ``__init__`` with no plugin (dataclass_transform)."""

from __future__ import annotations

from pathlib import Path

from mypy import api as mypy_api

SAMPLE = """
from datetime import datetime
from enum import Enum

import influxorm as orm


class Side(Enum):
    BUY = "BUY"


class Trade(orm.Measurement, name="trades"):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    side: Side = orm.tag()
    price: float = orm.field()
    note: str | None = orm.field(default=None)


t = Trade(time=datetime(2024, 1, 1), instrument="A", side=Side.BUY, price=1.0)
reveal_type(t.price)
reveal_type(t.to_lineprotocol())
reveal_type(Trade.to_lineprotocol_many([t]))
Trade(time=datetime(2024, 1, 1), instrument="A", side=Side.BUY)
Trade(time=datetime(2024, 1, 1), instrument=1, side=Side.BUY, price=1.0)
Trade(datetime(2024, 1, 1), "A", Side.BUY, 1.0)
"""


def test_mypy_understands_models(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(SAMPLE)
    out, _, _ = mypy_api.run(
        ["--strict", "--no-error-summary", "--cache-dir", str(tmp_path / "cache"), str(sample)]
    )
    mine = [line.split(": ", 1)[1] for line in out.splitlines() if line.startswith(str(sample))]
    assert mine == [
        'note: Revealed type is "float"',
        'note: Revealed type is "bytes"',
        'note: Revealed type is "bytes"',
        'error: Missing named argument "price" for "Trade"  [call-arg]',
        'error: Argument "instrument" to "Trade" has incompatible type "int"; '
        'expected "str"  [arg-type]',
        'error: Too many positional arguments for "Trade"  [call-arg]',
    ]
