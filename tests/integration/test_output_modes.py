"""Every output mode, per session and per call, chunked or not, async and blocking."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from influxorm.exceptions import QueryError
from influxorm.results import ChunkedQueryResult, QueryResult
from influxorm.session import AsyncSession, Session
from influxorm.testing import InfluxDBServer

LINES = "\n".join(f"m,k={'ab'[i % 2]} v={i}i,f={i}.5 {i}" for i in range(100))
Q = 'SELECT "v" FROM "m"'


@pytest.fixture
def filled(influxdb_session: Session) -> Session:
    influxdb_session.write(LINES)
    return influxdb_session


async def test_async_outputs_per_call(influxdb_async_session: AsyncSession) -> None:
    await influxdb_async_session.write(LINES)
    json = await influxdb_async_session.query(Q)
    assert len(json["results"][0]["series"][0]["values"]) == 100
    raw = await influxdb_async_session.query(Q, output="bytes")
    assert raw.startswith(b'{"results"')
    frame = await influxdb_async_session.query(Q, output="dataframe")
    assert isinstance(frame, pd.DataFrame)
    assert frame["v"].tolist() == list(range(100))
    by_series = await influxdb_async_session.query(
        'SELECT "v" FROM "m" GROUP BY "k"', output="dataframe", by_series=True
    )
    assert len(by_series) == 2
    points = await influxdb_async_session.query(Q, output="iterable")
    assert isinstance(points, QueryResult)
    assert [p[1] for p in points] == list(range(100))


async def test_async_chunked_outputs(influxdb_async_session: AsyncSession) -> None:
    await influxdb_async_session.write(LINES)
    chunks = [c async for c in await influxdb_async_session.query(Q, chunked=True, chunk_size=30)]
    assert len(chunks) == 4
    frames = [
        f
        async for f in await influxdb_async_session.query(
            Q, chunked=True, chunk_size=30, output="dataframe"
        )
    ]
    assert sum(len(f) for f in frames) == 100
    raw = [
        b
        async for b in await influxdb_async_session.query(
            Q, chunked=True, chunk_size=30, output="bytes"
        )
    ]
    assert len(raw) == 4
    iterable = await influxdb_async_session.query(Q, chunked=True, chunk_size=30, output="iterable")
    assert isinstance(iterable, ChunkedQueryResult)
    assert [p[1] async for p in iterable] == list(range(100))


def test_blocking_session_default_output(filled: Session) -> None:
    filled.output = "dataframe"
    frame = filled.query(Q)
    assert len(frame) == 100
    assert isinstance(filled.query(Q, output="json"), dict)
    chunks = list(filled.query(Q, chunked=True, chunk_size=50))
    assert [len(c) for c in chunks] == [50, 50]
    filled.output = "iterable"
    assert len(list(filled.query(Q))) == 100
    assert len(list(filled.query(Q, chunked=True, chunk_size=40))) == 100


def test_dataframe_times_without_epoch(filled: Session) -> None:
    # msgpack sends them as timestamps (ext type 5), JSON as RFC 3339 strings.
    by_ns = filled.query(Q, output="dataframe")
    by_text = filled.query(Q, output="dataframe", epoch=None)
    pd.testing.assert_frame_equal(by_ns, by_text)
    assert by_ns.index[1] == pd.Timestamp(1, tz="UTC")


def test_multi_statement_results(filled: Session) -> None:
    frames = filled.query('SELECT "v" FROM "m"; SELECT "f" FROM "m"', output="dataframe")
    assert isinstance(frames, list)
    assert [list(f.columns) for f in frames] == [["v"], ["f"]]


@pytest.mark.parametrize("output", ["json", "bytes", "dataframe", "iterable"])
def test_an_error_in_a_later_statement_is_raised(filled: Session, output: str) -> None:
    with pytest.raises(QueryError):
        filled.query('SELECT "v" FROM "m"; SELECT nope(', output=output)  # type: ignore[call-overload]


ERROR_AFTER_GOOD = 'SELECT "v" FROM "m"; SELECT "v" FROM "m" WHERE time > \'not a time\''


@pytest.mark.parametrize("output", ["json", "bytes"])
def test_an_error_after_good_chunks(filled: Session, output: str) -> None:
    chunks = filled.query(ERROR_AFTER_GOOD, chunked=True, chunk_size=10, output=output)  # type: ignore[call-overload]
    assert next(chunks) is not None  # good chunks first, then the error
    with pytest.raises(QueryError):
        list(chunks)


def test_an_error_after_good_msgpack_chunks_is_raised(filled: Session) -> None:
    with pytest.raises(QueryError, match="not compatible"):
        list(filled.query(ERROR_AFTER_GOOD, chunked=True, chunk_size=10, output="dataframe"))


@pytest.mark.parametrize("output", ["json", "dataframe"])  # dataframe: msgpack chunks
def test_every_good_chunk_comes_before_the_error(filled: Session, output: str) -> None:
    # The error follows ten small chunks, usually in the same network read.
    chunks = filled.query(ERROR_AFTER_GOOD, chunked=True, chunk_size=10, output=output)  # type: ignore[call-overload]
    received: list[Any] = []

    def read() -> None:
        for chunk in chunks:
            received.append(chunk)

    with pytest.raises(QueryError, match="not compatible"):
        read()
    rows = [
        len(c) if output == "dataframe" else len(c["results"][0]["series"][0]["values"])
        for c in received
    ]
    assert rows == [10] * 10


PARSE_ERROR = (
    "error parsing query: found EOF, expected identifier, string, number, bool at line 1, char 14"
)


@pytest.mark.parametrize(
    "output",
    [
        "json",
        "dataframe",  # asks for msgpack: influxd answers the 400 in msgpack too
    ],
)
def test_a_refused_query_reports_the_servers_text(filled: Session, output: str) -> None:
    with pytest.raises(QueryError) as raised:
        filled.query("SELECT nope(", output=output)  # type: ignore[call-overload]
    assert raised.value.status == 400
    assert raised.value.server_message == PARSE_ERROR
    assert str(raised.value) == f"query failed (400): {PARSE_ERROR}; statement: 'SELECT nope('"


def test_an_error_inside_a_msgpack_answer_reads_as_in_json(filled: Session) -> None:
    messages = []
    for output in ("json", "dataframe"):
        with pytest.raises(QueryError) as raised:
            filled.query("SELECT v FROM m WHERE time > 'bad'", output=output)  # type: ignore[call-overload]
        messages.append((str(raised.value), raised.value.server_message, raised.value.status))
    (json_text, *json_rest), (frame_text, *frame_rest) = messages
    assert json_rest == frame_rest
    assert "statement #0: invalid operation" in json_text
    # DataFrames stream msgpack chunks: an error result there carries no statement_id.
    assert frame_text == json_text.replace("statement #0: ", "")


@pytest.fixture(scope="module")
def row_limited() -> Iterator[Session]:
    with InfluxDBServer(extra_config={"http": {"max-row-limit": 10}}) as server:
        server.execute('CREATE DATABASE "d"')
        with Session(server.url, database="d") as session:
            session.write(LINES)
            yield session


@pytest.mark.parametrize("output", ["json", "bytes", "iterable"])
def test_truncation_by_max_row_limit_is_an_error(row_limited: Session, output: str) -> None:
    with pytest.raises(QueryError, match="truncated"):
        row_limited.query(Q, output=output)  # type: ignore[call-overload]


def test_dataframes_stream_past_max_row_limit(row_limited: Session) -> None:
    assert len(row_limited.query(Q, output="dataframe")) == 100
