"""Model objects -> line protocol, 1M points, no server.

Every case turns the benchmark series (``_trades``), built as each library's objects
before the clock starts, into one ``bytes`` body. The ceiling is a hand-written loop for
this one schema: an f-string per point with the escaped tag prefix cached per distinct
tag tuple and the string field escaped, but no validation at all.

    .bench-venv/bin/python benchmarks/serialization.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _harness
import _trades
from _harness import Case, Context


def prepare(ctx: Context) -> Context:
    """Per process, not timed: the points in the case's shape."""
    count = ctx.get("rows", _trades.ROWS)
    kind = ctx["data"]
    if kind == "models":
        data: Any = _trades.influxorm_trades(count)
    elif kind == "aioinflux":
        _trades.aioinflux_shims()
        data = _trades.aioinflux_trades(count)
    else:
        data = _trades.dict_points(count)
    return {**ctx, "points": data}


def describe(result: Any) -> str:
    return f"{len(result) / 2**20:.0f} MiB of line protocol" if isinstance(result, bytes) else ""


def influxorm_many(ctx: Context) -> bytes:
    """``Trade.to_lineprotocol_many(trades)``."""
    return _trades.Trade.to_lineprotocol_many(ctx["points"])


def handwritten(ctx: Context) -> bytes:
    """The ceiling: no validation, one f-string per point, cached escaped tag prefix."""
    heads: dict[tuple[str, Any, str], str] = {}

    def esc(text: str) -> str:
        return text.replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")

    out = []
    append = out.append
    for p in ctx["points"]:
        key = (p.instrument, p.side, p.venue)
        head = heads.get(key)
        if head is None:
            head = heads[key] = (
                f"trades,instrument={esc(p.instrument)},side={esc(p.side.value)},"
                f"venue={esc(p.venue)}"
            )
        trade_id = p.trade_id
        if '"' in trade_id or "\\" in trade_id:
            trade_id = trade_id.replace("\\", "\\\\").replace('"', '\\"')
        append(f'{head} price={p.price!r},size={p.size}i,trade_id="{trade_id}" {p.time}')
    return "\n".join(out).encode()


def aioinflux_lineprotocol(ctx: Context) -> bytes:
    """aioinflux ``@lineprotocol``: ``b"\\n".join(p.to_lineprotocol() for p in points)``,
    what its ``client.write(list)`` does."""
    return b"\n".join([p.to_lineprotocol() for p in ctx["points"]])


def influxdb_python_make_lines(ctx: Context) -> bytes:
    """influxdb-python ``line_protocol.make_lines({"points": dicts})``."""
    from influxdb.line_protocol import make_lines

    return make_lines({"points": ctx["points"]}, precision="n").encode()


def influxdb_client_points(ctx: Context) -> bytes:
    """influxdb-client ``Point.from_dict(d).to_line_protocol()`` per point."""
    from influxdb_client import Point, WritePrecision

    return "\n".join(
        [
            Point.from_dict(p, write_precision=WritePrecision.NS).to_line_protocol()
            for p in ctx["points"]
        ]
    ).encode()


CASES = [
    Case("ceiling: hand-written f-string, no validation", "handwritten"),
    Case("influxorm Trade.to_lineprotocol_many()", "influxorm_many"),
    Case("aioinflux @lineprotocol", "aioinflux_lineprotocol", baseline=True),
    Case("influxdb-python make_lines(dicts)", "influxdb_python_make_lines"),
    Case("influxdb-client Point.from_dict().to_line_protocol()", "influxdb_client_points"),
]

DATA = {
    "aioinflux_lineprotocol": "aioinflux",
    "influxdb_python_make_lines": "dicts",
    "influxdb_client_points": "dicts",
}


def context(function: str, rows: int) -> Context:
    return {"data": DATA.get(function, "models"), "rows": rows}


def main() -> None:
    repeat = _harness.repeat_from_env()
    rows = int(os.environ.get("BENCH_ROWS", _trades.ROWS))
    measured = [
        _harness.run_case("serialization", case, context(case.function, rows), repeat)
        for case in CASES
    ]
    base = next(m.seconds for m, c in zip(measured, CASES, strict=True) if c.baseline)
    _harness.print_table("Model objects -> line protocol, 1M points", measured, base)


if __name__ == "__main__":
    main()
