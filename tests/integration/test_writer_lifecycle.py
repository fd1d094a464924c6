"""The bulk writers and sessions against a real influxd: every exception inside a
writer is reported (never a hang), no accepted point is dropped silently on close,
cancellation or exit, and an unclosed session is cleaned up."""

from __future__ import annotations

import asyncio
import gc
import logging
import math
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from support.faultproxy import Fault, FaultProxy, RequestInfo

import influxorm as orm
from influxorm.exceptions import InfluxORMError, UnsentBatchError, ValidationError
from influxorm.session import (
    AsyncSession,
    FailedBatch,
    Session,
    SessionStateError,
    UnsentPointsWarning,
    WriterProgress,
)
from influxorm.session.writer import AsyncBulkWriter
from influxorm.testing import InfluxDBServer


class Tick(orm.Measurement, name="ticks"):
    time: int = orm.time()
    sym: str = orm.tag()
    px: float = orm.field()


def _count(server: InfluxDBServer, database: str) -> int:
    with Session(server.url, database=database) as reader:
        result = reader.query("SELECT COUNT(px) FROM ticks")
    series = result["results"][0].get("series")
    return int(series[0]["values"][0][1]) if series else 0


def _ticks(n: int, start: int = 0) -> list[Tick]:
    return [Tick(time=start + i, sym="A", px=float(i)) for i in range(n)]


# -- issue 12.5: an exception inside a worker is reported, never a hang ---------------


async def test_a_raising_on_progress_is_raised_by_flush_not_a_hang(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    def broken(progress: WriterProgress) -> None:
        raise RuntimeError("progress bar is broken")

    async with AsyncSession(influxdb_server.url, database=influxdb_database) as session:
        writer = session.writer(batch_size=5, max_concurrency=1, max_buffer=15, on_progress=broken)
        async with asyncio.timeout(30), writer:
            await writer.write(_ticks(15))  # three batches through one worker
            with pytest.raises(InfluxORMError, match="on_progress raised RuntimeError") as caught:
                await writer.flush()
    assert isinstance(caught.value.__cause__, RuntimeError)
    # The callback's failure does not make the batches fail: all were written.
    assert writer.progress.points_written == 15
    assert writer.failed_batches == []
    assert _count(influxdb_server, influxdb_database) == 15


async def test_a_callback_raising_inside_a_retry_does_not_lose_the_batch(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    # The first write is throttled (503): the retry reports progress, and the callback
    # raises there, inside the sending of the batch.
    def plan(request: RequestInfo) -> Fault:
        return Fault.STATUS_503 if request.index == 0 else Fault.PASS

    def broken(progress: WriterProgress) -> None:
        if progress.retries:
            raise ValueError("retry display is broken")

    with FaultProxy(influxdb_server.host, influxdb_server.port, plan) as proxy:
        async with AsyncSession(proxy.url, database=influxdb_database) as session:
            writer = session.writer(batch_size=10, max_concurrency=1, on_progress=broken)
            async with asyncio.timeout(30):
                with pytest.raises(InfluxORMError, match="retry display is broken"):
                    async with writer:
                        await writer.write(_ticks(10))
    assert writer.progress.retries == 1
    assert writer.progress.points_written == 10
    assert _count(influxdb_server, influxdb_database) == 10


async def test_an_exception_encoding_a_batch_is_a_failed_batch(
    influxdb_server: InfluxDBServer, influxdb_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Inject a non-influxorm exception where the worker turns a batch into bodies.
    pieces = AsyncBulkWriter._pieces

    def exploding(self: AsyncBulkWriter, batch: Any) -> Any:
        if any("sym=BOOM" in line for line in batch.lines):
            raise MemoryError("injected")
        return pieces(self, batch)

    monkeypatch.setattr(AsyncBulkWriter, "_pieces", exploding)
    failed: list[FailedBatch] = []
    async with (
        AsyncSession(influxdb_server.url, database=influxdb_database) as session,
        asyncio.timeout(30),
        session.writer(batch_size=5, max_concurrency=1, on_error=failed.append) as writer,
    ):
        await writer.write(_ticks(5))
        await writer.write([Tick(time=100 + i, sym="BOOM", px=1.0) for i in range(5)])
        await writer.write(_ticks(5, start=200))
    assert [batch.points for batch in failed] == [5]
    error = failed[0].error
    assert isinstance(error, UnsentBatchError)
    assert error.maybe_written is False
    assert isinstance(error.__cause__, MemoryError)
    assert failed[0].body.count(b"sym=BOOM") == 5
    assert writer.progress.points_failed == 5
    assert _count(influxdb_server, influxdb_database) == 10


async def test_a_string_the_server_cannot_receive_never_hangs_the_writer(
    influxdb_async_session: AsyncSession,
) -> None:
    # A lone surrogate cannot be UTF-8: refused when validated, or else a failed batch.
    writer = influxdb_async_session.writer(batch_size=2, max_concurrency=1)

    async def write() -> None:
        async with writer:
            await writer.write("ticks,sym=A px=1 1")
            await writer.write('ticks,sym=A note="\ud800" 2')
            await writer.write("ticks,sym=A px=3 3")

    async with asyncio.timeout(30):
        with pytest.raises(InfluxORMError) as caught:
            await write()
    if not isinstance(caught.value, ValidationError):
        assert isinstance(caught.value, UnsentBatchError)
        assert [batch.points for batch in writer.failed_batches] == [2]
        assert isinstance(caught.value.__cause__, UnicodeEncodeError)


async def test_a_writer_whose_tasks_were_cancelled_raises_instead_of_waiting(
    influxdb_async_session: AsyncSession,
) -> None:
    # Something else cancelled the writer's tasks (a framework cancelling every task).
    writer = influxdb_async_session.writer(batch_size=10, max_concurrency=1, flush_interval=None)
    await writer.__aenter__()
    for task in writer._tasks:
        task.cancel()
    await asyncio.sleep(0)
    await writer.write(_ticks(10))
    async with asyncio.timeout(30):
        with pytest.raises(SessionStateError, match="10 point"):
            await writer.flush()
        with pytest.raises(SessionStateError) as caught:
            await writer.aclose()
    assert any("10 point(s) not acknowledged" in note for note in caught.value.__notes__)
    assert sum(batch.points for batch in writer.failed_batches) == 10
    assert all(isinstance(batch.error, UnsentBatchError) for batch in writer.failed_batches)


# -- issue 12.6: a validation error concerns the points it names ----------------------


def test_blocking_validation_error_concerns_only_its_call(
    influxdb_server: InfluxDBServer, influxdb_session: Session, influxdb_database: str
) -> None:
    with influxdb_session.writer(batch_size=100, flush_interval=0.05) as writer:
        writer.write(Tick(time=1, sym="A", px=1.0))  # good, before the bad one
        with pytest.raises(ValidationError, match="px"):
            writer.write(Tick(time=2, sym="A", px=math.nan))
        with pytest.raises(ValidationError):
            writer.write([Tick(time=3, sym="A", px=3.0), Tick(time=4, sym="A", px=math.inf)])
        time.sleep(0.3)  # the timer hands over what is buffered meanwhile
        for tick in _ticks(10, start=10):
            writer.write(tick)
        writer.flush()
        assert writer.progress.points_written == 11
    assert writer.failed_batches == []
    assert _count(influxdb_server, influxdb_database) == 11


def test_blocking_writer_sends_points_in_the_order_written(
    influxdb_server: InfluxDBServer, influxdb_session: Session
) -> None:
    # The same series and time written three times: the last write must win.
    with influxdb_session.writer(batch_size=100, flush_interval=None) as writer:
        writer.write(Tick(time=1, sym="A", px=1.0))
        writer.write([Tick(time=1, sym="A", px=2.0)])
        writer.write(Tick(time=1, sym="A", px=3.0))
        writer.write("ticks,sym=A px=4 1")
        writer.write(Tick(time=1, sym="A", px=5.0))
    assert influxdb_session.query("SELECT px FROM ticks")["results"][0]["series"][0]["values"] == [
        [1, 5.0]
    ]


def test_blocking_batch_failure_raised_by_write_keeps_that_writes_data(
    influxdb_server: InfluxDBServer, influxdb_session: Session, influxdb_database: str
) -> None:
    raised: list[orm.WriteError] = []
    with influxdb_session.writer(batch_size=2, max_concurrency=1) as writer:

        def write(points: object) -> None:
            try:
                writer.write(points)
            except orm.WriteError as error:  # the refused batch's failure: points accepted
                raised.append(error)

        # A full batch the server refuses: its failure is raised by a later write(), or
        # by this one when the send finishes before it returns.
        write(["garbage", "garbage"])
        for tick in _ticks(50, start=100):
            write(tick)
            time.sleep(0.002)
        writer.flush()
    assert len(raised) == 1
    assert [batch.points for batch in writer.failed_batches] == [2]
    assert _count(influxdb_server, influxdb_database) == 50


# -- issue 12.7: closing, cancelling and exiting with buffered points ----------------


async def test_closing_a_session_flushes_its_open_writer(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    session = AsyncSession(influxdb_server.url, database=influxdb_database)
    writer = session.writer(batch_size=1_000, flush_interval=None)
    await writer.__aenter__()
    for tick in _ticks(500):
        await writer.write(tick)
    await session.aclose()
    assert writer.closed
    assert _count(influxdb_server, influxdb_database) == 500


def test_closing_a_blocking_session_flushes_its_open_writer(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    session = Session(influxdb_server.url, database=influxdb_database)
    writer = session.writer(batch_size=1_000, flush_interval=None).__enter__()
    for tick in _ticks(500):
        writer.write(tick)  # held in the calling thread: less than a batch
    session.close()
    assert writer.closed
    assert _count(influxdb_server, influxdb_database) == 500


async def test_closing_a_session_says_what_its_writer_did_not_write(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    session = AsyncSession(influxdb_server.url, database=influxdb_database)
    writer = session.writer(batch_size=1_000, flush_interval=None)
    await writer.__aenter__()
    await writer.write(["ticks,sym=A px=1 1", "garbage", "ticks,sym=A px=2 2"])
    with pytest.raises(orm.WriteError) as caught:
        await session.aclose()
    assert "did not write 1 point(s)" in "\n".join(caught.value.__notes__)
    with pytest.raises(orm.InfluxORMError, match="closed"):
        await session.ping()


def test_closing_a_blocking_session_with_a_failing_writer_still_closes_everything(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    session = Session(influxdb_server.url, database=influxdb_database)
    writer = session.writer(flush_interval=None).__enter__()
    writer.write("garbage")
    thread = session._loop_thread._thread
    with pytest.raises(orm.WriteError) as caught:
        session.close()
    assert "did not write 1 point(s)" in "\n".join(caught.value.__notes__)
    assert writer.closed
    assert thread is not None
    assert not thread.is_alive()
    del session
    gc.collect()  # closed: no ResourceWarning (an error in this suite)


async def test_a_cancelled_exit_reports_every_point_not_acknowledged(
    influxdb_server: InfluxDBServer, influxdb_database: str, caplog: pytest.LogCaptureFixture
) -> None:
    total = 17_000
    written_all = asyncio.Event()
    writer_box: list[AsyncBulkWriter] = []
    failed: list[FailedBatch] = []
    with FaultProxy(influxdb_server.host, influxdb_server.port, delay_seconds=0.2) as proxy:
        async with AsyncSession(proxy.url, database=influxdb_database) as session:

            async def produce() -> None:
                async with session.writer(
                    batch_size=1_000, max_concurrency=1, max_buffer=total, on_error=failed.append
                ) as writer:
                    writer_box.append(writer)
                    for tick in _ticks(total):
                        await writer.write(tick)
                    written_all.set()
                # leaving the block flushes: about 3.4 s through the slow proxy

            task = asyncio.create_task(produce())
            await written_all.wait()
            await asyncio.sleep(0.5)
            with caplog.at_level(logging.WARNING, logger="influxorm"):
                task.cancel()
                with pytest.raises(asyncio.CancelledError) as caught:
                    await task
        await asyncio.sleep(0.5)  # a request the proxy still forwards lands meanwhile
    writer = writer_box[0]
    written = writer.progress.points_written
    unsent = sum(batch.points for batch in failed)
    assert 0 < written < total
    assert written + unsent == total  # every point: acknowledged or reported
    assert failed == writer.failed_batches
    assert all(isinstance(batch.error, UnsentBatchError) for batch in failed)
    maybe = [b for b in failed if isinstance(b.error, UnsentBatchError) and b.error.maybe_written]
    assert len(maybe) <= 1  # one batch was in flight at most
    note = f"{unsent} point(s) not acknowledged"
    assert any(note in n for n in caught.value.__notes__)
    assert any(note in record.getMessage() for record in caplog.records)
    stored = _count(influxdb_server, influxdb_database)
    assert written <= stored <= written + sum(b.points for b in maybe)


_EXIT_SCRIPT = """
import asyncio, sys
import influxorm as orm
from influxorm.session import AsyncSession, Session

class Tick(orm.Measurement, name="ticks"):
    time: int = orm.time()
    sym: str = orm.tag()
    px: float = orm.field()

url, database, case = sys.argv[1:]
if case == "blocking-writer":
    session = Session(url, database=database)
    session.ping()
    writer = session.writer(batch_size=1000, flush_interval=None).__enter__()
    for i in range(17):
        writer.write(Tick(time=i, sym="A", px=1.0))
elif case == "notebook":
    session = Session(url, database=database)
    session.write([Tick(time=i, sym="A", px=1.0) for i in range(3)])
    print(session.query("SELECT COUNT(px) FROM ticks")["results"][0]["series"][0]["values"])
elif case == "async-writer":
    async def main():
        session = AsyncSession(url, database=database)
        writer = session.writer(batch_size=1000, flush_interval=None)
        await writer.__aenter__()
        for i in range(5):
            await writer.write(Tick(time=i, sym="A", px=1.0))
    asyncio.run(main())
print("end of script", flush=True)
"""


def _run_exit_script(
    server: InfluxDBServer, database: str, case: str, where: Path
) -> tuple[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_EXIT_SCRIPT), server.url, database, case],
        cwd=where,  # influxorm as installed, not from the current directory
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "end of script" in done.stdout
    return done.stdout, done.stderr


def test_exit_with_an_open_blocking_writer_warns_with_the_count(
    influxdb_server: InfluxDBServer, influxdb_database: str, tmp_path: Path
) -> None:
    _, stderr = _run_exit_script(influxdb_server, influxdb_database, "blocking-writer", tmp_path)
    assert "UnsentPointsWarning" in stderr
    assert "17 point(s) accepted by a bulk writer were not sent" in stderr
    assert "Unclosed" not in stderr
    assert "Traceback" not in stderr
    assert _count(influxdb_server, influxdb_database) == 0  # nothing is sent at exit


def test_exit_with_an_open_async_writer_warns_with_the_count(
    influxdb_server: InfluxDBServer, influxdb_database: str, tmp_path: Path
) -> None:
    _, stderr = _run_exit_script(influxdb_server, influxdb_database, "async-writer", tmp_path)
    assert "5 point(s) accepted by a bulk writer were not sent" in stderr
    assert "Traceback" not in stderr


async def test_a_writer_garbage_collected_with_points_warns_with_the_count(
    influxdb_async_session: AsyncSession,
) -> None:
    writer = influxdb_async_session.writer(batch_size=1_000, flush_interval=None)
    await writer.__aenter__()
    await writer.write(_ticks(7))
    tasks = writer._tasks
    for task in tasks:  # as when its event loop ends
        task.cancel()
    await asyncio.wait(tasks)
    del task, tasks  # their tracebacks hold the writer
    with pytest.warns(UnsentPointsWarning, match="7 point") as record:  # noqa: PT031
        del writer
        gc.collect()
    assert len(record) == 1


# -- issue 13.8 and 12.17: unclosed blocking sessions --------------------------------


def test_a_notebook_session_never_closed_exits_quietly(
    influxdb_server: InfluxDBServer, influxdb_database: str, tmp_path: Path
) -> None:
    stdout, stderr = _run_exit_script(influxdb_server, influxdb_database, "notebook", tmp_path)
    assert "[[0, 3]]" in stdout
    assert stderr == ""


def test_a_dropped_session_warns_and_releases_its_thread_and_connections(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    session = Session(influxdb_server.url, database=influxdb_database)
    session.write("ticks,sym=A px=1 1")
    thread = session._loop_thread._thread
    assert thread is not None
    assert thread.is_alive()
    with pytest.warns(ResourceWarning) as record:  # noqa: PT031 -- the drop is the act
        del session
        gc.collect()
    thread.join(10)
    assert not thread.is_alive()
    # Ours, and not aiohttp's "Unclosed client session": the connections were closed.
    assert [str(w.message)[:17] for w in record] == ["unclosed <Session"]
    assert not any(t.name == thread.name for t in threading.enumerate())


async def test_a_point_written_while_flush_waits_does_not_hang_it(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    # Without a timer, a partial batch written by another task while flush() waits for
    # the batch in flight must still be sent by that flush, not wait forever.
    with FaultProxy(
        influxdb_server.host, influxdb_server.port, lambda request: Fault.PASS, delay_seconds=0.5
    ) as proxy:
        async with AsyncSession(proxy.url, database=influxdb_database) as session:
            writer = session.writer(batch_size=5, max_concurrency=1, flush_interval=None)
            async with asyncio.timeout(30), writer:
                await writer.write(_ticks(5))  # one full batch, in flight for 0.5 s
                flushing = asyncio.create_task(writer.flush())
                await asyncio.sleep(0.1)
                await writer.write(_ticks(1, start=5))  # a partial batch, while flush waits
                await asyncio.wait_for(flushing, 10)
                assert writer.progress.buffered == 0
    assert _count(influxdb_server, influxdb_database) == 6


@pytest.mark.parametrize("per_point", [False, True])
async def test_a_cancelled_write_reports_the_points_it_did_not_buffer(
    influxdb_server: InfluxDBServer, influxdb_database: str, per_point: bool
) -> None:
    # 30 points, 10 a batch, room for 10: write() waits for space after the first batch.
    # Cancelled there, the points it did not buffer are failed batches, so the caller
    # knows what was not sent (in one call of 30 points, or the 11th of single points).
    failed: list[FailedBatch] = []
    with FaultProxy(
        influxdb_server.host, influxdb_server.port, lambda request: Fault.PASS, delay_seconds=0.5
    ) as proxy:
        async with AsyncSession(proxy.url, database=influxdb_database) as session:
            writer = session.writer(
                batch_size=10, max_concurrency=1, max_buffer=10, on_error=failed.append
            )
            async with asyncio.timeout(30), writer:

                async def produce() -> None:
                    if per_point:
                        for tick in _ticks(30):
                            await writer.write(tick)
                    else:
                        await writer.write(_ticks(30))

                task = asyncio.create_task(produce())
                await asyncio.sleep(0.2)  # the first batch is in flight
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
    unsent = sum(batch.points for batch in failed)
    assert all(isinstance(batch.error, UnsentBatchError) for batch in failed)
    assert writer.progress.points_written + unsent == (11 if per_point else 30)
    assert _count(influxdb_server, influxdb_database) == writer.progress.points_written
