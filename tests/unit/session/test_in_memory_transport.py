"""Both sessions over an in-memory transport: streaming, closing and the query contract."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator

import pytest

from influxorm._context import get_current_session
from influxorm.exceptions import QueryError, TransportError
from influxorm.session import AsyncSession, Request, Response, Session, SessionStateError


class _Stream:
    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            yield piece

    async def aclose(self) -> None:
        self.closed = True


class _Transport:
    """Answers every request with the next canned (status, body pieces)."""

    def __init__(self, *answers: tuple[int, list[bytes]]) -> None:
        self.answers = list(answers)
        self.requests: list[Request] = []
        self.streams: list[_Stream] = []

    async def request(self, request: Request) -> Response:
        self.requests.append(request)
        status, pieces = self.answers.pop(0)
        stream = _Stream(pieces)
        self.streams.append(stream)
        return Response(status, {"X-Influxdb-Version": "9.9"}, stream)

    async def aclose(self) -> None:
        pass


CHUNK = b'{"results":[{"statement_id":0,"series":[{"name":"m","values":[[1]]}]}]}'


async def test_chunks_split_across_network_pieces() -> None:
    pieces = [CHUNK[:10], CHUNK[10:] + b"\n" + CHUNK[:5], CHUNK[5:] + b"\n", b"\n"]
    transport = _Transport((200, pieces))
    async with AsyncSession(transport=transport) as session:
        chunks = await session.query("SELECT * FROM m", chunked=True)
        assert [chunk["results"][0]["series"][0]["values"] async for chunk in chunks] == [
            [[1]],
            [[1]],
        ]
    assert transport.streams[0].closed


async def test_an_error_chunk_raises_and_closes() -> None:
    transport = _Transport((200, [CHUNK + b"\n", b'{"error":"max-select-point limit"}\n']))
    async with AsyncSession(transport=transport) as session:
        chunks = await session.query("SELECT * FROM m", chunked=True, output="bytes")
        assert await anext(chunks) == CHUNK
        with pytest.raises(QueryError, match="max-select-point"):
            await anext(chunks)
    assert transport.streams[0].closed


async def test_an_async_session_is_the_current_session_inside_async_with() -> None:
    transport = _Transport((204, []))
    async with AsyncSession(transport=transport) as session:
        assert await session.ping() == "9.9"
        assert get_current_session() is session


def test_blocking_contract_runs_on_the_loop_thread() -> None:
    transport = _Transport((204, []), (200, [CHUNK + b"\n" + CHUNK]))
    with Session(transport=transport) as session:
        assert session._complete(session._async.ping()) == "9.9"
        chunks = session._complete(session._async.query("SELECT 1", chunked=True))
        assert len(list(session._complete_iter(chunks))) == 2
        assert get_current_session() is session


def test_blocking_session_refuses_calls_from_its_own_loop_thread() -> None:
    transport = _Transport((204, []))

    with Session(transport=transport) as session:

        async def inside() -> str:
            return session.ping()

        with pytest.raises(SessionStateError, match="own event-loop thread"):
            session._complete(inside())


def test_an_async_session_belongs_to_one_loop() -> None:
    session = AsyncSession("http://127.0.0.1:9")  # nothing listens on port 9
    first_loop = asyncio.new_event_loop()
    try:
        with pytest.raises(TransportError):
            first_loop.run_until_complete(session.ping())
        with pytest.raises(SessionStateError, match="another event loop"):
            asyncio.run(session.ping())
    finally:
        first_loop.run_until_complete(session.aclose())
        first_loop.close()


async def test_debug_logs_carry_no_credentials(caplog: pytest.LogCaptureFixture) -> None:
    transport = _Transport((200, [b'{"results":[{"statement_id":0}]}']))
    caplog.set_level(logging.DEBUG, logger="influxorm")
    async with AsyncSession(username="me", password="s3cret", transport=transport) as session:
        await session.query("CREATE USER bob WITH PASSWORD 'hunter2'")
    assert "CREATE USER bob WITH PASSWORD '***'" in caplog.text
    assert "s3cret" not in caplog.text
    assert "hunter2" not in caplog.text
    assert "Basic" not in caplog.text


async def test_a_server_that_never_answers_raises_transport_error() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        async with AsyncSession(url, timeout=0.2) as session:
            with pytest.raises(TransportError, match="timed out"):
                await session.ping()
