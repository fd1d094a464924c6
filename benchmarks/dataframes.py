"""DataFrames at 1,000,000 rows: writes (DataFrame -> line protocol) and reads (query -> DataFrame).

The frame: 3 tags (instrument: 50 values, side: 2, venue: 5), 3 fields (price float,
size int, trade_id str), distinct nanosecond timestamps. Writes are measured as the
encoding alone (no server). Reads fetch ``SELECT * FROM trades`` (1M points) from a
throwaway influxd filled once. Every run is a fresh subprocess (see ``_harness.py``).

    .bench-venv/bin/python benchmarks/dataframes.py [write|read]
"""

from __future__ import annotations

import asyncio
import os
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _harness
from _harness import Case, Context

ROWS = 1_000_000
MEASUREMENT = "trades"
TAGS = ["instrument", "side", "venue"]
QUERY = f"SELECT * FROM {MEASUREMENT}"
CHUNK_SIZE = int(os.environ.get("BENCH_CHUNK", "20000"))


def make_frame(rows: int = ROWS) -> pd.DataFrame:
    """The benchmark frame (deterministic)."""
    rng = np.random.default_rng(0)
    symbols = np.array([f"SYM{i:02d}" for i in range(50)])
    start = pd.Timestamp("2024-01-01").value
    return pd.DataFrame(
        {
            "instrument": symbols[rng.integers(0, 50, rows)],
            "side": np.array(["BUY", "SELL"])[rng.integers(0, 2, rows)],
            "venue": np.array(["XNAS", "XNYS", "BATS", "ARCA", "IEX"])[rng.integers(0, 5, rows)],
            "price": rng.random(rows) * 500,
            "size": rng.integers(1, 10_000, rows),
            "trade_id": [f"{x:012x}" for x in rng.integers(0, 2**48, rows)],
        },
        index=pd.DatetimeIndex(start + np.arange(rows) * 997 + rng.integers(0, 997, rows)),
    )


def prepare(ctx: Context) -> Context:
    """Per-process setup (not measured): the frame for write cases; for read cases every
    library imported up front, so that no case's imports count in its time or memory."""
    if ctx.get("side") == "write":
        return {**ctx, "frame": make_frame()}
    import aiohttp  # noqa: F401
    import aioinflux  # noqa: F401
    import influxdb  # noqa: F401
    import msgpack  # noqa: F401
    import pyarrow  # noqa: F401

    import influxorm
    import influxorm.results.frames  # noqa: F401

    return ctx


def describe(result: Any) -> str:
    """A note for the table: the frame's own size for read cases."""
    if isinstance(result, pd.DataFrame):
        size = result.memory_usage(deep=True).sum()
        return f"{len(result):,} rows, frame {size / 2**20:.0f} MiB"
    return ""


# -- writes -----------------------------------------------------------------------------


def write_influxorm_arrow(ctx: Context) -> Any:
    from influxorm.frames.encoder import encode_dataframe
    from influxorm.frames.ops import ArrowOps

    return encode_dataframe(
        ctx["frame"], measurement=MEASUREMENT, tag_columns=TAGS, ops=ArrowOps()
    ).batches


def write_influxorm_numpy(ctx: Context) -> Any:
    from influxorm.frames.encoder import encode_dataframe
    from influxorm.frames.ops import NumpyOps

    return encode_dataframe(
        ctx["frame"], measurement=MEASUREMENT, tag_columns=TAGS, ops=NumpyOps()
    ).batches


def write_influxdb_client(ctx: Context) -> Any:
    from influxdb_client.client.write.dataframe_serializer import DataframeSerializer
    from influxdb_client.client.write_api import PointSettings

    serializer = DataframeSerializer(
        ctx["frame"],
        PointSettings(),
        data_frame_measurement_name=MEASUREMENT,
        data_frame_tag_columns=TAGS,
        chunk_size=ROWS,
    )
    return serializer.serialize(0)


def write_aioinflux(ctx: Context) -> Any:
    from aioinflux.serialization.dataframe import serialize

    # aioinflux 0.9 still uses numpy aliases removed in numpy 1.24.
    np.float = float  # type: ignore[attr-defined]
    np.int = int  # type: ignore[attr-defined]
    np.bool = bool  # type: ignore[attr-defined]

    return serialize(ctx["frame"], MEASUREMENT, tag_columns=TAGS)


def write_influxdb_python(ctx: Context) -> Any:
    from influxdb import DataFrameClient

    client = DataFrameClient()
    return client._convert_dataframe_to_lines(
        ctx["frame"], MEASUREMENT, tag_columns=TAGS, time_precision="n"
    )


WRITE_CASES = [
    Case("influxorm encode_dataframe (arrow)", "write_influxorm_arrow"),
    Case("influxorm encode_dataframe (numpy)", "write_influxorm_numpy"),
    Case("influxdb-client DataframeSerializer", "write_influxdb_client", baseline=True),
    Case("aioinflux serialize", "write_aioinflux"),
    Case("influxdb-python DataFrameClient lines", "write_influxdb_python"),
]


# -- reads ------------------------------------------------------------------------------


def fill_server(ctx: Context) -> None:
    """Write the benchmark frame once (encoded by influxorm, posted with urllib)."""
    from influxorm.frames.encoder import encode_dataframe

    encoded = encode_dataframe(make_frame(), measurement=MEASUREMENT, tag_columns=TAGS)
    url = f"{ctx['url']}/write?" + urllib.parse.urlencode({"db": ctx["database"]})
    for batch in encoded.batches:
        with urllib.request.urlopen(urllib.request.Request(url, data=batch)) as response:
            assert response.status == 204
    # Reads right after a write race the server's WAL snapshot: read once to settle it.
    query = f"{ctx['url']}/query?" + urllib.parse.urlencode(_query_params(ctx))
    with urllib.request.urlopen(query) as response:
        response.read()


def _query_params(ctx: Context, **extra: str) -> dict[str, str]:
    return {"db": ctx["database"], "q": QUERY, "epoch": "ns", **extra}


def _headers(accept: str) -> dict[str, str]:
    # aiohttp asks for gzip by default, and influxd then compresses the answer: slower on
    # both ends over loopback (the session asks for identity too).
    return {"Accept": accept, "Accept-Encoding": "identity"}


def read_influxorm(ctx: Context) -> Any:
    """The user path: session.query(..., output="dataframe") when sessions offer it."""
    import influxorm

    async def main() -> Any:
        async with influxorm.AsyncSession(ctx["url"], database=ctx["database"]) as session:
            return await session.query(QUERY, output="dataframe")

    return asyncio.run(main())


def read_influxorm_results(ctx: Context) -> Any:
    """The results layer fed by plain aiohttp (chunked msgpack), without the session."""
    import aiohttp

    from influxorm.results import gc_paused
    from influxorm.results.decoding import ResponseDecoder, frame_accept
    from influxorm.results.frames import FrameAccumulator

    async def main() -> Any:
        params = _query_params(ctx, chunked="true", chunk_size=str(CHUNK_SIZE))
        accept = frame_accept()
        accumulator = FrameAccumulator()
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{ctx['url']}/query", params=params, headers=_headers(accept)) as resp,
        ):
            decoder = ResponseDecoder(resp.content_type, QUERY, chunked=True)
            async for data in resp.content.iter_any():
                for response in decoder.feed(data):
                    accumulator.feed(response)
            for response in decoder.close():
                accumulator.feed(response)
        return accumulator.frames()[0]

    with gc_paused():
        return asyncio.run(main())


def read_handwritten(ctx: Context) -> Any:
    """A hand-written fast path: chunked msgpack (tuples, GC off), numpy columns and Arrow
    strings per chunk, one concatenation at the end. No validation, no holes, no tags."""
    import gc

    import aiohttp
    import msgpack
    import pyarrow as pa

    async def main() -> Any:
        params = _query_params(ctx, chunked="true", chunk_size=str(CHUNK_SIZE))
        headers = _headers("application/x-msgpack")
        columns: list[str] = []
        pieces: list[list[Any]] = []
        unpacker = msgpack.Unpacker(raw=False, use_list=False)
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{ctx['url']}/query", params=params, headers=headers) as resp,
        ):
            async for data in resp.content.iter_any():
                unpacker.feed(data)
                for chunk in unpacker:
                    for series in chunk["results"][0].get("series", ()):
                        columns = series["columns"]
                        pieces.append(
                            [
                                pa.array(c, pa.large_string())
                                if isinstance(c[0], str)
                                else np.array(c)
                                for c in zip(*series["values"], strict=True)
                            ]
                        )
        data: dict[str, Any] = {}
        for j, name in enumerate(columns):
            parts = [p[j] for p in pieces]
            if isinstance(parts[0], np.ndarray):
                data[name] = np.concatenate(parts)
            else:
                data[name] = pd.arrays.ArrowStringArray(
                    pa.chunked_array(parts), dtype=pd.StringDtype("pyarrow", na_value=np.nan)
                )
        time = pd.DatetimeIndex(data.pop("time").astype("datetime64[ns]"), tz="UTC")
        return pd.DataFrame(data, index=time)

    gc.disable()
    try:
        return asyncio.run(main())
    finally:
        gc.enable()


def _aioinflux_client(ctx: Context) -> Any:
    from aioinflux import InfluxDBClient

    host, port = ctx["url"].rsplit("//", 1)[1].rsplit(":", 1)
    return InfluxDBClient(host=host, port=int(port), db=ctx["database"], output="dataframe")


def read_aioinflux(ctx: Context) -> Any:
    async def main() -> Any:
        async with _aioinflux_client(ctx) as client:
            return await client.query(QUERY, epoch="ns")

    return asyncio.run(main())


def read_aioinflux_chunked(ctx: Context) -> Any:
    async def main() -> Any:
        async with _aioinflux_client(ctx) as client:
            chunks = await client.query(QUERY, epoch="ns", chunked=True, chunk_size=CHUNK_SIZE)
            return pd.concat([chunk async for chunk in chunks])

    return asyncio.run(main())


def read_influxdb_python(ctx: Context) -> Any:
    from influxdb import DataFrameClient

    host, port = ctx["url"].rsplit("//", 1)[1].rsplit(":", 1)
    client = DataFrameClient(host=host, port=int(port), database=ctx["database"])
    return client.query(QUERY, epoch="ns")[MEASUREMENT]


READ_CASES = [
    Case("influxorm session.query(output='dataframe')", "read_influxorm"),
    Case("influxorm results layer (aiohttp, chunked msgpack)", "read_influxorm_results"),
    Case("hand-written chunked msgpack -> numpy", "read_handwritten"),
    Case("aioinflux output='dataframe'", "read_aioinflux", baseline=True),
    Case("aioinflux chunked dataframes + concat", "read_aioinflux_chunked"),
    Case("influxdb-python DataFrameClient", "read_influxdb_python"),
]


def main() -> None:
    """Run the write and/or read tables."""
    which = sys.argv[1:] or ["write", "read"]
    repeat = _harness.repeat_from_env()
    if "write" in which:
        _harness.run_cases(
            "DataFrame -> line protocol, 1M rows (3 tags, float/int/str fields)",
            "dataframes",
            [c for c in WRITE_CASES if c.label in _selected(WRITE_CASES)],
            {"side": "write"},
            repeat=repeat,
        )
    if "read" in which:
        with _harness.influxd() as ctx:
            fill_server(ctx)
            _harness.run_cases(
                "Query -> DataFrame, 1M rows (SELECT * FROM trades)",
                "dataframes",
                [c for c in READ_CASES if c.label in _selected(READ_CASES)],
                {**ctx, "side": "read"},
                repeat=repeat,
            )


def _selected(cases: list[Case]) -> set[str]:

    only = os.environ.get("BENCH_ONLY")
    return {c.label for c in cases if not only or only in c.function}


if __name__ == "__main__":
    main()
