"""Reading 1M points back as model instances, and streaming them, from a throwaway influxd.

The server is filled once with the benchmark series (``_trades``). Query cases fetch
``SELECT * FROM trades`` and build one object per point with the declared types (the
``Side`` enum, float prices, int times). Streaming cases walk ``iterate()`` over 100k
and 1M points: its peak memory should not grow with the result. The ceilings fetch the
same bytes with plain aiohttp and only decode them (GC paused), building no objects.

    .bench-venv/bin/python benchmarks/queries.py
"""

from __future__ import annotations

import asyncio
import gc
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

QUERY = f"SELECT * FROM {_trades.MEASUREMENT}"
CHUNK_SIZE = 10_000
SMALL = 100_000


def fill_server(ctx: Context, rows: int = _trades.ROWS) -> None:
    """Write the benchmark series once (encoded by influxorm, posted with urllib)."""
    lines = _trades.Trade.__influxorm_encoder__.encode_many(_trades.influxorm_trades(rows))
    url = f"{ctx['url']}/write?" + urllib.parse.urlencode({"db": ctx["database"]})
    for start in range(0, len(lines), 10_000):
        body = "\n".join(lines[start : start + 10_000]).encode()
        with urllib.request.urlopen(urllib.request.Request(url, data=body)) as response:
            assert response.status == 204


def prepare(ctx: Context) -> Context:
    """Per process, not timed: wait until the server is idle."""
    _trades.wait_until_idle(ctx.get("server_pid"))
    return ctx


class HeapPeak(int):
    """A point count that also carries the Python heap's peak (tracemalloc) while counting."""

    heap_peak: int


def describe(result: Any) -> str:
    if isinstance(result, HeapPeak):
        return f"{int(result):,} points, Python heap peak {result.heap_peak / 2**20:.2f} MiB"
    if isinstance(result, int):
        return f"{result:,} points"
    if isinstance(result, list) and result:
        return f"{len(result):,} {type(result[0]).__name__}"
    return ""


def _host_port(ctx: Context) -> tuple[str, int]:
    host, port = ctx["url"].rsplit("//", 1)[1].rsplit(":", 1)
    return host, int(port)


# -- influxorm ----------------------------------------------------------------------------


def influxorm_fetch(ctx: Context) -> Any:
    """``await Trade.objects.fetch()``: a list of ``Trade``."""
    import influxorm

    async def main() -> Any:
        async with influxorm.AsyncSession(ctx["url"], database=ctx["database"]):
            return await _trades.Trade.objects.fetch()

    return asyncio.run(main())


def _iterate(ctx: Context, limit: int | None) -> int:
    import influxorm

    async def main() -> int:
        count = 0
        async with influxorm.AsyncSession(ctx["url"], database=ctx["database"]):
            query = _trades.Trade.objects
            if limit is not None:
                query = query.limit(limit)
            async for _trade in query.iterate(chunk_size=CHUNK_SIZE):
                count += 1
        return count

    return asyncio.run(main())


def influxorm_iterate_small(ctx: Context) -> int:
    """``async for t in Trade.objects.limit(100_000).iterate(chunk_size=10_000)``."""
    return _iterate(ctx, SMALL)


def influxorm_iterate(ctx: Context) -> int:
    """``async for t in Trade.objects.iterate(chunk_size=10_000)`` over 1M points."""
    return _iterate(ctx, None)


def _iterate_heap(ctx: Context, limit: int | None) -> HeapPeak:
    """The same iteration under tracemalloc: what Python objects alone needed at their
    peak (RSS also holds what the allocators keep; only the Python heap is the library's
    doing). Slower, so timed apart from the RSS cases."""
    import tracemalloc

    tracemalloc.start()
    try:
        count = HeapPeak(_iterate(ctx, limit))
        count.heap_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return count


def influxorm_iterate_heap_small(ctx: Context) -> HeapPeak:
    """``influxorm_iterate_small`` under tracemalloc."""
    return _iterate_heap(ctx, SMALL)


def influxorm_iterate_heap(ctx: Context) -> HeapPeak:
    """``influxorm_iterate`` under tracemalloc."""
    return _iterate_heap(ctx, None)


# -- the others -----------------------------------------------------------------------------


def aioinflux_objects(ctx: Context) -> Any:
    """aioinflux ``output="json"``, then one object per point through ``iterpoints``
    (its documented way), in the columns' order from the server."""
    _trades.aioinflux_shims()
    from aioinflux import InfluxDBClient, iterpoints

    cls = _trades.aioinflux_class()
    side = _trades.Side

    def parser(
        time: int, instrument: str, price: float, s: str, size: int, tid: str, venue: str
    ) -> Any:
        return cls(time, instrument, side(s), venue, float(price), size, tid)

    async def main() -> Any:
        host, port = _host_port(ctx)
        async with InfluxDBClient(host=host, port=port, db=ctx["database"]) as client:
            response = await client.query(QUERY, epoch="ns")
        return list(iterpoints(response, parser))

    return asyncio.run(main())


def influxdb_python_objects(ctx: Context) -> Any:
    """influxdb-python ``query().get_points()`` (dicts), one object per point."""
    from influxdb import InfluxDBClient

    cls = _trades.aioinflux_class()
    side = _trades.Side
    host, port = _host_port(ctx)
    client = InfluxDBClient(host=host, port=port, database=ctx["database"])
    result = client.query(QUERY, epoch="ns")
    return [
        cls(
            p["time"],
            p["instrument"],
            side(p["side"]),
            p["venue"],
            float(p["price"]),
            p["size"],
            p["trade_id"],
        )
        for p in result.get_points()
    ]


# -- the ceilings: fetch and decode only ---------------------------------------------------


async def _fetch_decode(ctx: Context, *, msgpack_chunks: bool) -> int:
    import aiohttp

    params = {"db": ctx["database"], "q": QUERY, "epoch": "ns"}
    headers = {"Accept-Encoding": "identity"}
    rows = 0
    gc.disable()
    try:
        async with aiohttp.ClientSession() as http:
            if msgpack_chunks:
                import msgpack

                params.update(chunked="true", chunk_size="50000")
                headers["Accept"] = "application/x-msgpack"
                unpacker = msgpack.Unpacker(raw=False, use_list=False)
                async with http.get(f"{ctx['url']}/query", params=params, headers=headers) as r:
                    async for data in r.content.iter_any():
                        unpacker.feed(data)
                        for chunk in unpacker:
                            for series in chunk["results"][0].get("series", ()):
                                rows += len(series["values"])
            else:
                import json

                async with http.get(f"{ctx['url']}/query", params=params, headers=headers) as r:
                    body = json.loads(await r.read())
                rows = len(body["results"][0]["series"][0]["values"])
    finally:
        gc.enable()
    return rows


def raw_json(ctx: Context) -> int:
    """One JSON response, decoded with the standard library."""
    return asyncio.run(_fetch_decode(ctx, msgpack_chunks=False))


def raw_msgpack(ctx: Context) -> int:
    """Chunked msgpack, decoded as it arrives."""
    return asyncio.run(_fetch_decode(ctx, msgpack_chunks=True))


OBJECT_CASES = [
    Case("ceiling: fetch + json.loads, no objects", "raw_json"),
    Case("ceiling: fetch chunked msgpack + decode, no objects", "raw_msgpack"),
    Case("influxorm Trade.objects.fetch()", "influxorm_fetch"),
    Case("aioinflux output='json' + iterpoints objects", "aioinflux_objects", baseline=True),
    Case("influxdb-python get_points() + objects", "influxdb_python_objects"),
]

ITERATE_CASES = [
    Case("influxorm iterate(), 100k points", "influxorm_iterate_small"),
    Case("influxorm iterate(), 1M points", "influxorm_iterate", baseline=True),
    Case("influxorm iterate(), 100k points, tracemalloc", "influxorm_iterate_heap_small"),
    Case("influxorm iterate(), 1M points, tracemalloc", "influxorm_iterate_heap"),
]


def main() -> None:
    repeat = _harness.repeat_from_env()
    with _harness.influxd() as ctx:
        fill_server(ctx)
        _harness.run_cases(
            "Query 1M points -> objects", "queries", OBJECT_CASES, ctx, repeat=repeat
        )
        _harness.run_cases("iterate() peak memory", "queries", ITERATE_CASES, ctx, repeat=1)


if __name__ == "__main__":
    main()
