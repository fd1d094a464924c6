"""AsyncSession and Session against a real throwaway influxd."""

from __future__ import annotations

import asyncio
import gc
import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

import influxorm as orm
from influxorm._context import get_current_session
from influxorm.exceptions import (
    AuthenticationError,
    NoSessionError,
    QueryError,
    TransportError,
    ValidationError,
    WriteError,
)
from influxorm.session import AsyncSession, Session
from influxorm.testing import InfluxDBServer


class Reading(orm.Measurement, name="readings"):
    time: datetime = orm.time()
    sensor: str = orm.tag()
    value: float = orm.field()
    note: str | None = orm.field(default=None)


READINGS = [
    Reading(time=datetime(2024, 1, 2, tzinfo=UTC), sensor="s1", value=0.5),
    Reading(time=datetime(2024, 1, 3, tzinfo=UTC), sensor="s2", value=1.25, note="late"),
]

LINES = "cpu,host=a usage=1.5 1000\ncpu,host=b usage=2.5 2000\ncpu,host=a usage=3.5 3000"


def _values(result: dict[str, object]) -> list[list[object]]:
    return result["results"][0]["series"][0]["values"]  # type: ignore[index,no-any-return]


@pytest.fixture(scope="module")
def auth_server() -> Iterator[InfluxDBServer]:
    with InfluxDBServer(auth_enabled=True) as server:
        yield server


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- async ---------------------------------------------------------------------------


async def test_ping_returns_the_server_version(influxdb_async_session: AsyncSession) -> None:
    assert (await influxdb_async_session.ping()).startswith("1.")


async def test_write_raw_line_protocol_and_query_it_back(
    influxdb_async_session: AsyncSession,
) -> None:
    assert await influxdb_async_session.write(LINES) == 3
    result = await influxdb_async_session.query('SELECT "usage" FROM "cpu" WHERE "host" = \'a\'')
    assert _values(result) == [[1000, 1.5], [3000, 3.5]]


async def test_write_bytes_iterables_and_precision(influxdb_async_session: AsyncSession) -> None:
    assert await influxdb_async_session.write([b"m v=1i 1", "m v=2i 2"], precision="s") == 2
    result = await influxdb_async_session.query("SELECT v FROM m")
    assert _values(result) == [[1_000_000_000, 1], [2_000_000_000, 2]]


async def test_write_dicts(influxdb_async_session: AsyncSession) -> None:
    points = [
        {"measurement": "m", "tags": {"k": "a"}, "fields": {"v": 1.0}, "time": 10},
        {"measurement": "m", "tags": {"k": "b"}, "fields": {"v": 2.0}, "time": 20},
    ]
    assert await influxdb_async_session.write(points) == 2
    result = await influxdb_async_session.query("SELECT v, k FROM m")
    assert _values(result) == [[10, 1, "a"], [20, 2, "b"]]


async def test_write_models(influxdb_async_session: AsyncSession) -> None:
    assert await influxdb_async_session.write(READINGS) == 2
    result = await influxdb_async_session.query("SELECT * FROM readings", epoch=None)
    assert result["results"][0]["series"][0]["columns"] == ["time", "note", "sensor", "value"]
    assert _values(result) == [
        ["2024-01-02T00:00:00Z", None, "s1", 0.5],
        ["2024-01-03T00:00:00Z", "late", "s2", 1.25],
    ]


async def test_structured_points_with_a_coarse_precision_are_refused(
    influxdb_async_session: AsyncSession,
) -> None:
    point = {"measurement": "m", "fields": {"v": 1.0}, "time": 10}
    with pytest.raises(ValidationError, match="raw line protocol only"):
        await influxdb_async_session.write([point], precision="s")
    with pytest.raises(ValidationError, match="unknown precision"):
        await influxdb_async_session.write("m v=1 1", precision="ns")  # type: ignore[arg-type]


async def test_query_bytes_output_is_the_raw_body(influxdb_async_session: AsyncSession) -> None:
    await influxdb_async_session.write(LINES)
    body = await influxdb_async_session.query("SELECT count(usage) FROM cpu", output="bytes")
    assert body.startswith(b'{"results":[')


async def test_chunked_query_yields_every_point(influxdb_async_session: AsyncSession) -> None:
    await influxdb_async_session.write("\n".join(f"m v={i}i {i}" for i in range(25)))
    chunks = await influxdb_async_session.query("SELECT v FROM m", chunked=True, chunk_size=10)
    sizes = [len(chunk["results"][0]["series"][0]["values"]) async for chunk in chunks]
    assert sizes == [10, 10, 5]


async def test_abandoned_chunked_query_releases_the_session(
    influxdb_async_session: AsyncSession,
) -> None:
    await influxdb_async_session.write("\n".join(f"m v={i}i {i}" for i in range(25)))
    chunks = await influxdb_async_session.query("SELECT v FROM m", chunked=True, chunk_size=5)
    async for _ in chunks:
        break
    await chunks.aclose()
    never_read = await influxdb_async_session.query("SELECT v FROM m", chunked=True, chunk_size=5)
    del never_read
    gc.collect()
    assert (await influxdb_async_session.query("SELECT count(v) FROM m"))["results"][0]["series"]


async def test_bind_parameters(influxdb_async_session: AsyncSession) -> None:
    await influxdb_async_session.write(LINES)
    result = await influxdb_async_session.query(
        "SELECT usage FROM cpu WHERE host = $host", params={"host": "b"}
    )
    assert _values(result) == [[2000, 2.5]]


async def test_bad_line_raises_write_error_with_the_server_message(
    influxdb_async_session: AsyncSession,
) -> None:
    with pytest.raises(WriteError) as caught:
        await influxdb_async_session.write("m v=")
    assert caught.value.status == 400
    assert "unable to parse" in caught.value.server_message


async def test_bad_statement_raises_query_error_with_the_statement(
    influxdb_async_session: AsyncSession,
) -> None:
    with pytest.raises(QueryError) as caught:
        await influxdb_async_session.query("SELEKT * FROM m")
    assert caught.value.status == 400
    assert caught.value.statement == "SELEKT * FROM m"
    assert "error parsing query" in caught.value.server_message


async def test_error_inside_a_200_raises_query_error(influxdb_async_session: AsyncSession) -> None:
    with pytest.raises(QueryError) as caught:
        await influxdb_async_session.query("SELECT * FROM m", db="no_such_database")
    assert caught.value.status == 200
    assert "database not found" in caught.value.server_message
    assert caught.value.statement == "SELECT * FROM m"


async def test_closed_port_raises_transport_error(closed_port: int) -> None:
    async with AsyncSession(f"http://127.0.0.1:{closed_port}") as session:
        with pytest.raises(TransportError):
            await session.ping()


async def test_wrong_credentials_raise_authentication_error(auth_server: InfluxDBServer) -> None:
    async with AsyncSession(auth_server.url, username="admin", password="wrong") as session:
        with pytest.raises(AuthenticationError) as caught:
            await session.query("SHOW DATABASES")
    assert caught.value.status == 401
    assert "wrong" not in str(caught.value)
    assert "wrong" not in repr(session)


async def test_right_credentials_are_accepted(auth_server: InfluxDBServer) -> None:
    async with AsyncSession(
        auth_server.url, username=auth_server.username, password=auth_server.password
    ) as session:
        await session.create_database("authed")
        assert "authed" in await session.show_databases()
        await session.drop_database("authed")


async def test_unix_socket(influxdb_server: InfluxDBServer, influxdb_database: str) -> None:
    async with AsyncSession(
        unix_socket=influxdb_server.unix_socket, database=influxdb_database
    ) as s:
        assert (await s.ping()).startswith("1.")
        assert await s.write("m v=1 1") == 1
        assert _values(await s.query("SELECT v FROM m")) == [[1, 1]]


async def test_weird_database_name_affects_only_itself(influxdb_url: str) -> None:
    weird = 'x"; DROP DATABASE "y'
    async with AsyncSession(influxdb_url) as session:
        await session.create_database("y")
        await session.create_database(weird)
        names = await session.show_databases()
        assert weird in names
        assert "y" in names
        await session.drop_database(weird)
        names = await session.show_databases()
        assert weird not in names
        assert "y" in names
        await session.drop_database("y")


async def test_database_is_switchable(influxdb_url: str, influxdb_database: str) -> None:
    async with AsyncSession(influxdb_url) as session:
        with pytest.raises(ValidationError, match="no database"):
            await session.write("m v=1 1")
        session.database = influxdb_database
        assert await session.write("m v=1 1") == 1


async def test_async_with_makes_the_session_current(influxdb_url: str) -> None:
    with pytest.raises(NoSessionError, match="with Session"):
        get_current_session()
    async with AsyncSession(influxdb_url) as session:
        assert get_current_session() is session
    with pytest.raises(NoSessionError):
        get_current_session()


# -- blocking ------------------------------------------------------------------------


def test_blocking_ping_write_query(influxdb_session: Session) -> None:
    assert influxdb_session.ping().startswith("1.")
    assert influxdb_session.write(LINES) == 3
    assert _values(influxdb_session.query("SELECT usage FROM cpu WHERE host = 'b'")) == [
        [2000, 2.5]
    ]


def test_blocking_write_models(influxdb_session: Session) -> None:
    assert influxdb_session.write(READINGS[0]) == 1
    assert _values(influxdb_session.query("SELECT value FROM readings")) == [
        [1704153600000000000, 0.5]
    ]


def test_blocking_is_current_inside_with(influxdb_session: Session) -> None:
    assert get_current_session() is influxdb_session


def test_blocking_chunked_query_is_a_plain_iterator(influxdb_session: Session) -> None:
    influxdb_session.write("\n".join(f"m v={i}i {i}" for i in range(25)))
    chunks = influxdb_session.query("SELECT v FROM m", chunked=True, chunk_size=10)
    assert [len(c["results"][0]["series"][0]["values"]) for c in chunks] == [10, 10, 5]
    abandoned = influxdb_session.query("SELECT v FROM m", chunked=True, chunk_size=5)
    next(abandoned)
    del abandoned
    gc.collect()
    assert influxdb_session.ping()


def test_blocking_errors(influxdb_session: Session, closed_port: int) -> None:
    with pytest.raises(WriteError, match="unable to parse"):
        influxdb_session.write("m v=")
    with pytest.raises(QueryError, match="database not found"):
        influxdb_session.query("SELECT * FROM m", db="no_such_database")
    with Session(f"http://127.0.0.1:{closed_port}") as unreachable, pytest.raises(TransportError):
        unreachable.ping()


def test_blocking_inside_asyncio_run(influxdb_url: str, influxdb_database: str) -> None:
    async def main() -> list[list[object]]:
        with Session(influxdb_url, database=influxdb_database) as blocking:
            blocking.write("m v=7 7")
            return _values(blocking.query("SELECT v FROM m"))

    assert asyncio.run(main()) == [[7, 7]]


async def test_blocking_inside_a_running_loops_coroutine(influxdb_session: Session) -> None:
    influxdb_session.write("m v=8 8")
    assert _values(influxdb_session.query("SELECT v FROM m")) == [[8, 8]]


def test_blocking_weird_database_name(influxdb_url: str) -> None:
    weird = 'x"; DROP DATABASE "y'
    with Session(influxdb_url) as blocking:
        blocking.create_database("y")
        blocking.create_database(weird)
        blocking.drop_database(weird)
        names = blocking.show_databases()
        assert "y" in names
        assert weird not in names
        blocking.drop_database("y")
