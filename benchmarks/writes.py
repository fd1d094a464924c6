"""Writing 1M model instances end to end, into a throwaway influxd.

Every case writes the benchmark series (``_trades``: 3 tags, float/int/str fields) as
model objects built before the clock starts, into a freshly created database, so the
time covers encoding, validation, batching and HTTP. The ceilings post line protocol
that is already encoded (the same bytes, cut into the same batches) with plain aiohttp,
one request at a time or ``CONCURRENCY`` at a time: no client can beat them.

    .bench-venv/bin/python benchmarks/writes.py
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _harness
import _trades
from _harness import Case, Context

#: Points per request, and requests in flight: the session defaults.
BATCH = 5_000
CONCURRENCY = 4


def _execute(ctx: Context, statement: str) -> Any:
    query = urllib.parse.urlencode({"q": statement})
    request = urllib.request.Request(f"{ctx['url']}/query?{query}", method="POST")
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
        return json.load(response)


def prepare(ctx: Context) -> Context:
    """Per process, not timed: a new empty database (the previous runs' ones dropped)
    and the points in the case's shape."""
    shown = _execute(ctx, "SHOW DATABASES")["results"][0].get("series", [{}])[0]
    for (name,) in shown.get("values", ()):
        if name.startswith(ctx["database"]):
            _execute(ctx, f'DROP DATABASE "{name}"')
    _trades.wait_until_idle(ctx.get("server_pid"))
    database = f"{ctx['database']}_{os.getpid()}"
    _execute(ctx, f'CREATE DATABASE "{database}"')
    ctx = {**ctx, "database": database}
    count = ctx.get("rows", _trades.ROWS)
    kind = ctx["data"]
    if kind == "models":
        data: Any = _trades.influxorm_trades(count)
    elif kind == "bodies":
        lines = _trades.Trade.__influxorm_encoder__.encode_many(_trades.influxorm_trades(count))
        data = [
            "\n".join(lines[start : start + BATCH]).encode()
            for start in range(0, len(lines), BATCH)
        ]
    elif kind == "aioinflux":
        _trades.aioinflux_shims()
        data = _trades.aioinflux_trades(count)
    else:
        data = _trades.dict_points(count)
    _trades.wait_until_idle(ctx.get("server_pid"))
    return {**ctx, "points": data, "count": count}


def describe(result: Any) -> str:
    return f"{result:,} points" if isinstance(result, int) else ""


# -- the ceilings: pre-built bytes ------------------------------------------------------


async def _post_all(ctx: Context, bodies: list[bytes], concurrency: int) -> None:
    import aiohttp

    url = f"{ctx['url']}/write"
    params = {"db": ctx["database"]}
    slots = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession() as http:

        async def post(body: bytes) -> None:
            async with slots, http.post(url, params=params, data=body) as response:
                assert response.status == 204, await response.text()

        await asyncio.gather(*(post(body) for body in bodies))


def raw_concurrent(ctx: Context) -> int:
    asyncio.run(_post_all(ctx, ctx["points"], CONCURRENCY))
    return int(ctx["count"])


def raw_serial(ctx: Context) -> int:
    asyncio.run(_post_all(ctx, ctx["points"], 1))
    return int(ctx["count"])


# -- influxorm ----------------------------------------------------------------------------


def influxorm_write(ctx: Context) -> int:
    """One plain ``session.write(list_of_models)``."""
    import influxorm

    async def main() -> int:
        async with influxorm.AsyncSession(
            ctx["url"], database=ctx["database"], batch_size=BATCH, max_concurrency=CONCURRENCY
        ) as session:
            return await session.write(ctx["points"])

    return asyncio.run(main())


def influxorm_writer(ctx: Context) -> int:
    """The bulk writer, fed one point at a time (``await w.write(t)``, as documented)."""
    import influxorm

    async def main() -> int:
        async with influxorm.AsyncSession(ctx["url"], database=ctx["database"]) as session:
            async with session.writer(batch_size=BATCH, max_concurrency=CONCURRENCY) as w:
                for point in ctx["points"]:
                    await w.write(point)
            return int(w.progress.points_written)

    return asyncio.run(main())


def influxorm_writer_chunks(ctx: Context) -> int:
    """The bulk writer, fed lists of ``BATCH`` points."""
    import influxorm

    points = ctx["points"]

    async def main() -> int:
        async with influxorm.AsyncSession(ctx["url"], database=ctx["database"]) as session:
            async with session.writer(batch_size=BATCH, max_concurrency=CONCURRENCY) as w:
                for start in range(0, len(points), BATCH):
                    await w.write(points[start : start + BATCH])
            return int(w.progress.points_written)

    return asyncio.run(main())


# -- the others -----------------------------------------------------------------------------


def aioinflux_write(ctx: Context) -> int:
    """aioinflux ``client.write(list_of_@lineprotocol_objects)``, ``BATCH`` points per
    call (one call of 1M would exceed the server's body limit), ``CONCURRENCY`` calls
    in flight."""
    from aioinflux import InfluxDBClient

    host, port = ctx["url"].rsplit("//", 1)[1].rsplit(":", 1)
    points = ctx["points"]

    async def main() -> None:
        slots = asyncio.Semaphore(CONCURRENCY)
        async with InfluxDBClient(host=host, port=int(port), db=ctx["database"]) as client:

            async def one(batch: list[Any]) -> None:
                async with slots:
                    await client.write(batch)

            await asyncio.gather(
                *(one(points[start : start + BATCH]) for start in range(0, len(points), BATCH))
            )

    asyncio.run(main())
    return len(points)


def influxdb_python_write(ctx: Context) -> int:
    """influxdb-python ``write_points(dicts, batch_size=BATCH)`` (blocking, one request
    at a time)."""
    from influxdb import InfluxDBClient

    host, port = ctx["url"].rsplit("//", 1)[1].rsplit(":", 1)
    client = InfluxDBClient(host=host, port=int(port), database=ctx["database"])
    client.write_points(ctx["points"], time_precision="n", batch_size=BATCH)
    return len(ctx["points"])


CASES = [
    Case("ceiling: pre-built bytes, aiohttp, 1 in flight", "raw_serial"),
    Case(f"ceiling: pre-built bytes, aiohttp, {CONCURRENCY} in flight", "raw_concurrent"),
    Case("influxorm session.write(list of 1M models)", "influxorm_write"),
    Case("influxorm session.writer(), one point per write()", "influxorm_writer"),
    Case(f"influxorm session.writer(), {BATCH} points per write()", "influxorm_writer_chunks"),
    Case("aioinflux client.write(@lineprotocol objects)", "aioinflux_write", baseline=True),
    Case("influxdb-python write_points(dicts)", "influxdb_python_write"),
]

DATA = {
    "raw_serial": "bodies",
    "raw_concurrent": "bodies",
    "aioinflux_write": "aioinflux",
    "influxdb_python_write": "dicts",
}


def context(server: Context, function: str, rows: int) -> Context:
    """The child context of one case."""
    return {
        **server,
        "database": "bench_write",
        "data": DATA.get(function, "models"),
        "rows": rows,
    }


def main() -> None:
    repeat = _harness.repeat_from_env()
    rows = int(os.environ.get("BENCH_ROWS", _trades.ROWS))
    with _harness.influxd() as server:
        measured = []
        for case in CASES:
            result = _harness.run_case("writes", case, context(server, case.function, rows), repeat)
            print(f"  {result.label}: {result.seconds:.3f} s", file=sys.stderr)
            measured.append(result)
    base = next(m.seconds for m, c in zip(measured, CASES, strict=True) if c.baseline)
    _harness.print_table("Write 1M model objects end to end", measured, base)


if __name__ == "__main__":
    main()
