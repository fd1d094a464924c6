"""Query results through influxorm.aioinflux as aioinflux 0.4.1 returned them: json
untouched, InfluxDBResult's attributes, InfluxDBChunkedResult's async generator, points
and chunks (issue 14 items 6-8)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from influxorm.aioinflux import InfluxDBChunkedResult, InfluxDBClient, InfluxDBResult, iterpoints

LINES = "\n".join(
    [
        "cpu,host=a load=1i 1",
        "cpu,host=a load=2i 2",
        "cpu,host=b load=3i 3",
        "mem,host=a used=4i 4",
        "mem,host=a used=5i 5",
    ]
)
TWO_STATEMENTS = 'SELECT load FROM cpu GROUP BY "host"; SELECT used FROM mem'


def parser(values: list[Any], meta: dict[str, Any]) -> dict[str, Any]:
    return {"name": meta["name"], **dict(zip(meta["columns"], values, strict=True))}


@pytest.fixture(autouse=True)
def data(client: InfluxDBClient) -> None:
    client.write(LINES)


def test_json_output_is_the_servers_response_untouched(client: InfluxDBClient) -> None:
    resp = client.query("SELECT load FROM cpu; SELECT * FROM nothing_here")
    assert resp == {
        "results": [
            {
                "statement_id": 0,
                "series": [
                    {"name": "cpu", "columns": ["time", "load"], "values": [[1, 1], [2, 2], [3, 3]]}
                ],
            },
            {"statement_id": 1},
        ]
    }


def test_result_counts_points_over_all_statements_and_series(client: InfluxDBClient) -> None:
    client.output = "iterable"
    result = client.query(TWO_STATEMENTS)
    assert isinstance(result, InfluxDBResult)
    assert len(result) == 5
    assert result.series_count == 3
    assert result.query == TWO_STATEMENTS
    assert result.parser is None
    assert result.data["results"][1]["series"][0]["name"] == "mem"
    assert result.show() == list(result) == [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]]


def test_result_iterates_through_its_parser(client: InfluxDBClient) -> None:
    client.output = "iterable"
    result = client.query(TWO_STATEMENTS, parser=parser)
    assert result.parser is parser
    assert result.show()[2:4] == [
        {"name": "cpu", "time": 3, "load": 3},
        {"name": "mem", "time": 4, "used": 4},
    ]
    empty = client.query("SELECT * FROM nothing_here")
    assert (len(empty), empty.series_count, empty.show()) == (0, 0, [])


def test_iterpoints_yields_every_series(client: InfluxDBClient) -> None:
    resp = client.query(TWO_STATEMENTS)
    assert [p[1] for p in iterpoints(resp)] == [1, 2, 3, 4, 5]


def _chunked(client: InfluxDBClient, read: Callable[[Any], Awaitable[Any]], **kwargs: Any) -> Any:
    """``read(result)`` of an async-mode chunked query (one point per chunk)."""

    async def main() -> Any:
        client.mode = "async"
        client.output = "iterable"
        try:
            result = await client.query(TWO_STATEMENTS, chunked=True, chunk_size=1, **kwargs)
            assert isinstance(result, InfluxDBChunkedResult)
            return await read(result)
        finally:
            await client.close()

    return asyncio.run(main())


def test_chunked_result_gen_is_a_native_async_generator_of_chunks(
    client: InfluxDBClient,
) -> None:
    async def read(result: InfluxDBChunkedResult) -> list[Any]:
        assert inspect.isasyncgen(result.gen)
        return [chunk async for chunk in result.gen]

    chunks = _chunked(client, read)
    assert len(chunks) == 5  # chunk_size=1: one chunk per point
    assert [c["results"][0]["statement_id"] for c in chunks] == [0, 0, 0, 1, 1]
    assert chunks[0]["results"][0]["series"][0]["values"] == [[1, 1]]


def test_chunked_result_async_for_and_iterpoints_yield_points(client: InfluxDBClient) -> None:
    async def read(result: InfluxDBChunkedResult) -> list[Any]:
        return [point async for point in result]

    assert _chunked(client, read) == [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]]

    async def read_parsed(result: InfluxDBChunkedResult) -> list[Any]:
        assert inspect.isasyncgen(result.iterpoints())
        return [point async for point in result.iterpoints()]

    points = _chunked(client, read_parsed, parser=parser)
    assert points[3] == {"name": "mem", "time": 4, "used": 4}


def test_chunked_result_iterchunks_yields_one_item_per_server_chunk(
    client: InfluxDBClient,
) -> None:
    async def read(result: InfluxDBChunkedResult) -> list[Any]:
        return [chunk async for chunk in result.iterchunks()]

    chunks = _chunked(client, read)
    assert [type(c) for c in chunks] == [dict] * 5

    async def read_wrapped(result: InfluxDBChunkedResult) -> list[Any]:
        return [chunk async for chunk in result.iterchunks(wrap=True)]

    wrapped = _chunked(client, read_wrapped, parser=parser)
    assert [type(c) for c in wrapped] == [InfluxDBResult] * 5
    assert {(c.parser, c.query) for c in wrapped} == {(parser, TWO_STATEMENTS)}
    assert [len(c) for c in wrapped] == [1] * 5
    assert wrapped[4].show() == [{"name": "mem", "time": 5, "used": 5}]


def test_chunked_result_is_one_single_pass_stream(client: InfluxDBClient) -> None:
    async def read(result: InfluxDBChunkedResult) -> tuple[Any, ...]:
        first_chunk = await anext(result.gen)
        next_point = await anext(result.iterpoints())
        rest = [chunk async for chunk in result.iterchunks()]
        return first_chunk, next_point, rest, [p async for p in result]

    first_chunk, next_point, rest, after = _chunked(client, read)
    assert first_chunk["results"][0]["series"][0]["values"] == [[1, 1]]
    assert next_point == [2, 2]
    assert [c["results"][0]["series"][0]["values"] for c in rest] == [[[3, 3]], [[4, 4]], [[5, 5]]]
    assert after == []


def test_blocking_chunked_result_iterates_with_plain_for(client: InfluxDBClient) -> None:
    client.output = "iterable"
    result = client.query(TWO_STATEMENTS, chunked=True, chunk_size=2, parser=parser)
    wrapped = list(result.iterchunks(wrap=True))
    assert sum(len(c) for c in wrapped) == 5
    again = client.query(TWO_STATEMENTS, chunked=True, chunk_size=2)
    assert list(again.iterpoints()) == [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]]
