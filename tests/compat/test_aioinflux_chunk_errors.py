"""influxorm.aioinflux: an error in the middle of a chunked answer is an InfluxDBError."""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

import influxorm as orm
from influxorm.aioinflux import InfluxDBChunkedResult, InfluxDBClient, InfluxDBError
from influxorm.testing import InfluxDBServer

# Five points in three good chunks of the first statement, then the second one's error.
ERROR_AFTER_GOOD = 'SELECT "v" FROM "m"; SELECT "v" FROM "m" WHERE time > \'not a time\''
GOOD = 'SELECT "v" FROM "m"'


@pytest.fixture
def client(influxdb_server: InfluxDBServer, influxdb_database: str) -> Iterator[InfluxDBClient]:
    body = "\n".join(f"m v={i}i {i}" for i in range(5)).encode()
    request = urllib.request.Request(
        f"{influxdb_server.url}/write?db={influxdb_database}", data=body
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 204
    c = InfluxDBClient(
        influxdb_server.host, influxdb_server.port, db=influxdb_database, mode="blocking"
    )
    yield c
    c.mode = "blocking"
    c.close()


def read_into(received: list[Any], items: Iterable[Any]) -> None:
    for item in items:
        received.append(item)


def check(error: BaseException) -> None:
    assert isinstance(error, InfluxDBError)
    assert isinstance(error, orm.QueryError)
    assert error.statement == ERROR_AFTER_GOOD
    assert "not compatible" in error.server_message


def test_blocking_chunks(client: InfluxDBClient) -> None:
    received: list[Any] = []
    with pytest.raises(InfluxDBError) as info:
        read_into(received, client.query(ERROR_AFTER_GOOD, chunked=True, chunk_size=2))
    check(info.value)
    assert len(received) == 3


def test_blocking_iterable(client: InfluxDBClient) -> None:
    client.output = "iterable"
    result = client.query(ERROR_AFTER_GOOD, chunked=True, chunk_size=2)
    assert isinstance(result, InfluxDBChunkedResult)
    points: list[Any] = []
    with pytest.raises(InfluxDBError) as info:
        read_into(points, result)
    check(info.value)
    assert [p[1] for p in points] == [0, 1, 2, 3, 4]


def test_async_chunks_and_iterable(client: InfluxDBClient) -> None:
    async def main() -> tuple[int, int, list[BaseException]]:
        client.mode = "async"
        errors: list[BaseException] = []
        chunks = await client.query(ERROR_AFTER_GOOD, chunked=True, chunk_size=2)
        count = 0
        try:
            async for _chunk in chunks:
                count += 1
        except orm.InfluxORMError as exc:
            errors.append(exc)
        client.output = "iterable"
        result = await client.query(ERROR_AFTER_GOOD, chunked=True, chunk_size=2)
        points = 0
        try:
            async for _point in result:
                points += 1
        except orm.InfluxORMError as exc:
            errors.append(exc)
        await client.close()
        return count, points, errors

    count, points, errors = asyncio.run(main())
    assert (count, points, len(errors)) == (3, 5, 2)
    for error in errors:
        check(error)


def test_async_early_close(client: InfluxDBClient) -> None:
    async def main() -> list[Any]:
        client.mode = "async"
        async with await client.query(GOOD, chunked=True, chunk_size=2) as chunks:
            first = [await anext(chunks)]
        rest = [c async for c in chunks]  # closed: nothing more
        again = [c async for c in await client.query(GOOD, chunked=True, chunk_size=2)]
        await client.close()
        return [first, rest, again]

    first, rest, again = asyncio.run(main())
    assert (len(first), len(rest), len(again)) == (1, 0, 3)
