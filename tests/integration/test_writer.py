"""The bulk writer against a real influxd: batching, flush, backpressure, failures."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime

import pandas as pd
import pytest
from support.faultproxy import FaultProxy

import influxorm as orm
from influxorm.exceptions import LineProtocolError, ValidationError
from influxorm.session import AsyncSession, FailedBatch, Session, WriterProgress
from influxorm.testing import InfluxDBServer


class Tick(orm.Measurement, name="ticks"):
    time: int = orm.time()
    sym: str = orm.tag()
    px: float = orm.field()


def _count(result: dict[str, object]) -> int:
    series = result["results"][0].get("series")  # type: ignore[index]
    return int(series[0]["values"][0][1]) if series else 0


async def test_per_point_writes_flush_and_exit(influxdb_async_session: AsyncSession) -> None:
    progress: list[WriterProgress] = []
    async with influxdb_async_session.writer(batch_size=100, on_progress=progress.append) as w:
        for i in range(250):
            await w.write(Tick(time=i, sym="A", px=float(i)))
        await w.flush()  # really acknowledged: readable now
        assert _count(await influxdb_async_session.query("SELECT COUNT(px) FROM ticks")) == 250
        await w.write("ticks,sym=B px=1 5")
    assert _count(await influxdb_async_session.query("SELECT COUNT(px) FROM ticks")) == 251
    assert progress[-1].points_written == 251
    assert progress[-1].batches_written == 4


def test_blocking_writer_and_flush_interval(influxdb_session: Session) -> None:
    with influxdb_session.writer(batch_size=1000, flush_interval=0.05) as w:
        w.write(Tick(time=1, sym="A", px=1.0))
        w.write([Tick(time=2, sym="A", px=2.0), {"measurement": "ticks", "fields": {"px": 3.0}}])
        w.flush()
        assert _count(influxdb_session.query("SELECT COUNT(px) FROM ticks")) == 3
    assert w.progress.points_written == 3


async def test_bad_input_is_refused_before_buffering(influxdb_async_session: AsyncSession) -> None:
    async with influxdb_async_session.writer() as w:
        with pytest.raises(ValidationError):
            await w.write([Tick(time=1, sym="A", px=1.0), Tick(time=2, sym="A", px=float("nan"))])
    assert _count(await influxdb_async_session.query("SELECT COUNT(px) FROM ticks")) == 0


async def test_a_failed_batch_is_raised_not_dropped(influxdb_async_session: AsyncSession) -> None:
    with pytest.raises(LineProtocolError) as caught:
        async with influxdb_async_session.writer(batch_size=10) as w:
            await w.write("not line protocol 1")
    assert caught.value.rejected_lines == ("not line protocol 1",)
    assert w.failed_batches[0].body == b"not line protocol 1"


async def test_on_error_receives_the_failed_batch(influxdb_async_session: AsyncSession) -> None:
    failed: list[FailedBatch] = []
    async with influxdb_async_session.writer(batch_size=2, on_error=failed.append) as w:
        await w.write(["ticks,sym=A px=1 1", "garbage"])
        await w.write(Tick(time=3, sym="A", px=3.0))
    assert len(failed) == 1
    assert failed[0].points == 2
    assert w.progress.failures == 1


async def test_memory_stays_bounded_when_the_server_is_slower(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    with FaultProxy(influxdb_server.host, influxdb_server.port, delay_seconds=0.02) as proxy:
        async with AsyncSession(proxy.url, database=influxdb_database) as session:
            tracemalloc.start()
            try:
                async with session.writer(batch_size=500, max_concurrency=2, max_buffer=2_000) as w:
                    for i in range(60_000):
                        await w.write(Tick(time=i, sym="A", px=1.0))
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            assert _count(await session.query("SELECT COUNT(px) FROM ticks")) == 60_000
    assert w.high_water <= 2_000
    assert peak < 8_000_000  # 60k points buffered at once would need far more


def test_session_write_of_models_is_batched(influxdb_session: Session) -> None:
    ticks = [Tick(time=i, sym=f"s{i % 7}", px=float(i)) for i in range(23_456)]
    assert influxdb_session.write(ticks) == 23_456
    assert _count(influxdb_session.query("SELECT COUNT(px) FROM ticks")) == 23_456


def test_dataframe_write(influxdb_session: Session) -> None:
    index = pd.date_range(datetime(2024, 1, 1, tzinfo=UTC), periods=12_000, freq="s")
    df = pd.DataFrame({"sym": ["A", "B"] * 6_000, "px": [float(i) for i in range(12_000)]}, index)
    assert (
        influxdb_session.write(df, measurement="frames", tag_columns=["sym"], venue="X") == 12_000
    )
    assert influxdb_session.show_tag_values("venue", "frames") == {"frames": ["X"]}
    assert _count(influxdb_session.query("SELECT COUNT(px) FROM frames")) == 12_000
