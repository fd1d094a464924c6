"""The write path against a real influxd: bodies cut where the server ends lines (never
inside a string value holding a LF), exact counts, progress reports, and a list of
models validated before anything is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pandas as pd
import pytest
import pytest_asyncio

import influxorm as orm
from influxorm.session import NO_RETRY, AsyncSession, Session
from influxorm.session.sender import WriteTarget
from influxorm.session.writer import AsyncBulkWriter
from influxorm.testing import InfluxDBServer

Call = tuple[int, int | None, str]


class Note(orm.Measurement, name="notes"):
    time: int = orm.time()
    author: str = orm.tag()
    text: str = orm.field()
    n: int = orm.field()


def _text(i: int) -> str:
    """Values that a body cut at every LF would break: LFs, quotes, backslashes."""
    return f'line one of {i}\nline "two"\n\\ and {"x" * (i % 7)}\n'


def _notes(count: int) -> list[Note]:
    return [Note(time=i, author=f"a{i % 3}", text=_text(i), n=i) for i in range(count)]


def _stored(result: dict[str, object]) -> dict[int, tuple[str, int]]:
    """time -> (text, n) of every stored point; asserts no time appears twice."""
    series = result["results"][0].get("series") or []  # type: ignore[index]
    out: dict[int, tuple[str, int]] = {}
    for one in series:
        for time, n, text in one["values"]:
            assert time not in out
            out[time] = (text, n)
    return out


QUERY = 'SELECT "n", "text" FROM "notes" GROUP BY *'


@pytest.fixture(scope="module")
def small_server() -> Iterator[InfluxDBServer]:
    """A server refusing bodies over 1,500 bytes (413): every batch below is halved."""
    with InfluxDBServer(extra_config={"http": {"max-body-size": 1500}}) as server:
        yield server


@pytest_asyncio.fixture
async def small(small_server: InfluxDBServer) -> AsyncIterator[AsyncSession]:
    async with AsyncSession(small_server.url, database="lf", retry=NO_RETRY) as session:
        await session.drop_database()
        await session.create_database()
        yield session


async def test_413_halves_keep_strings_with_lfs_whole(small: AsyncSession) -> None:
    calls: list[Call] = []
    points = _notes(60)  # about 4 KB in one batch: halved until the pieces fit
    assert await small.write(points, progress=lambda *call: calls.append(call)) == 60
    assert _stored(await small.query(QUERY)) == {i: (_text(i), i) for i in range(60)}
    assert [done for done, _, _ in calls] == sorted({done for done, _, _ in calls})
    assert calls[-1] == (60, 60, "points written")
    assert len(calls) > 1  # one report per acknowledged half

    raw = "\n".join(note.to_lineprotocol().decode() for note in _notes(120)[60:])
    assert await small.write(raw) == 60  # counted where influxd ends lines
    stored = _stored(await small.query(QUERY))
    assert stored == {i: (_text(i), i) for i in range(120)}


async def test_writer_cuts_by_size_and_halves_on_413(small: AsyncSession) -> None:
    raw = "\n".join(note.to_lineprotocol().decode() for note in _notes(100)[50:])
    writer = AsyncBulkWriter(
        small._sender,
        WriteTarget("lf", None, None),
        batch_size=1_000,
        flush_interval=None,
        max_concurrency=2,
        max_buffer=None,
        max_bytes=3_000,  # cut on the client side first, then halved by 413s (1,500)
    )
    async with writer as w:
        assert await w.write(_notes(50)) == 50
        assert await w.write(raw) == 50
    assert w.progress.points_written == 100
    assert w.progress.failures == 0
    assert _stored(await small.query(QUERY)) == {i: (_text(i), i) for i in range(100)}


async def test_progress_reports_each_acknowledged_batch(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    async with AsyncSession(
        influxdb_server.url, database=influxdb_database, batch_size=7
    ) as session:
        calls: list[Call] = []
        assert await session.write(_notes(50), progress=lambda *call: calls.append(call)) == 50
        assert len(calls) == 8  # ceil(50 / 7) requests
        assert [done for done, _, _ in calls] == sorted(done for done, _, _ in calls)
        assert {total for _, total, _ in calls} == {50}
        assert calls[-1] == (50, 50, "points written")

        # dict points and raw line protocol are counted exactly too
        calls.clear()
        mixed = [
            {"measurement": "notes", "tags": {"author": "d"}, "fields": {"text": "a\nb", "n": 1}}
        ] * 3 + ['notes,author=r text="x\ny",n=2i 1\nnotes,author=r text="z",n=3i 2']
        await session.write(mixed, progress=lambda *call: calls.append(call))
        assert calls[-1] == (5, 5, "points written")

        calls.clear()
        frame = pd.DataFrame(
            {"text": [f"row\n{i}" for i in range(20)], "n": range(20)},
            index=pd.date_range("2024-01-01", periods=20, freq="s", tz="UTC"),
        )
        assert (
            await session.write(
                frame,
                measurement="frames",
                progress=lambda *call: calls.append(call),
            )
            == 20
        )
        # three requests (7, 7 and 6 rows), acknowledged in any order
        assert [done for done, _, _ in calls] in ([7, 14, 20], [7, 13, 20], [6, 13, 20])
        assert {total for _, total, _ in calls} == {20}


def test_blocking_write_reports_progress(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    with Session(influxdb_server.url, database=influxdb_database, batch_size=10) as session:
        calls: list[Call] = []
        assert session.write(_notes(25), progress=lambda *call: calls.append(call)) == 25
        assert [done for done, _, _ in calls] in ([10, 20, 25], [10, 15, 25], [5, 15, 25])
        assert calls[-1] == (25, 25, "points written")


async def test_a_bad_point_anywhere_in_a_list_sends_nothing(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    async with AsyncSession(
        influxdb_server.url, database=influxdb_database, batch_size=5
    ) as session:
        points = _notes(40)
        points[37] = Note(time=37, author="a", text="bad", n=2**63)
        with pytest.raises(orm.ValidationError) as caught:
            await session.write(points)
        assert "item 37" in "".join(getattr(caught.value, "__notes__", []))
        assert _stored(await session.query(QUERY)) == {}


async def test_writer_single_instances_and_their_errors(
    influxdb_async_session: AsyncSession,
) -> None:
    async with influxdb_async_session.writer(batch_size=4) as w:
        for note in _notes(10):
            assert await w.write(note) == 1
        with pytest.raises(orm.ValidationError):
            await w.write(Note(time=99, author="a", text="x", n=2**63))
    assert w.progress.points_written == 10
    assert _stored(await influxdb_async_session.query(QUERY)) == {
        i: (_text(i), i) for i in range(10)
    }
