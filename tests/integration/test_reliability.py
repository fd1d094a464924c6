"""Faults between the session and a real influxd: nothing lost, nothing duplicated.

The fault proxy resets connections (before and after forwarding), stalls, and answers
503/429/413/500-timeout; a second test stops and restarts the real server while a bulk
write runs. Each point has a unique value, so ``COUNT`` and ``SUM`` together show every
point stored exactly once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from support.faultproxy import Fault, FaultProxy, random_plan

import influxorm as orm
from influxorm.session import AsyncSession, Session, WriterProgress
from influxorm.session.retry import RetryPolicy
from influxorm.testing import InfluxDBServer

pytestmark = pytest.mark.slow

N = 1_000_000
FAST_RETRY = RetryPolicy(
    max_attempts=40, initial_delay=0.01, max_delay=0.3, deadline=120.0, jitter=True
)


class Bulk(orm.Measurement, name="bulk"):
    time: int = orm.time()
    series: str = orm.tag()
    v: int = orm.field()


class Untimed(orm.Measurement, name="untimed"):
    time: int | None = orm.time(default=None)
    series: str = orm.tag()
    v: int = orm.field()


def _points(start: int, stop: int) -> list[Bulk]:
    return [Bulk(time=i, series=f"s{i % 50}", v=i) for i in range(start, stop)]


def _count_and_sum(session: Session, measurement: str) -> tuple[int, int]:
    result = session.query(f'SELECT COUNT("v"), SUM("v") FROM "{measurement}"')
    _, count, total = result["results"][0]["series"][0]["values"][0]
    return int(count), int(total)


@pytest.fixture(scope="module")
def server() -> Iterator[InfluxDBServer]:
    with InfluxDBServer() as own:
        yield own


@pytest.fixture
def db(server: InfluxDBServer) -> Iterator[str]:
    name = f"rel_{time.monotonic_ns()}"
    server.execute(f'CREATE DATABASE "{name}"')
    yield name
    server.execute(f'DROP DATABASE "{name}"')


FAULTS = {
    Fault.RESET_BEFORE: 0.06,
    Fault.RESET_AFTER: 0.06,
    Fault.STALL: 0.01,
    Fault.STATUS_503: 0.06,
    Fault.STATUS_429: 0.02,
    Fault.STATUS_413: 0.03,
    Fault.STATUS_500_TIMEOUT: 0.04,
}


async def test_a_million_points_through_faults_arrive_exactly_once(
    server: InfluxDBServer, db: str
) -> None:
    progress: list[WriterProgress] = []
    with FaultProxy(server.host, server.port, random_plan(7, FAULTS), stall_seconds=1.5) as proxy:
        async with (
            AsyncSession(proxy.url, database=db, retry=FAST_RETRY, read_timeout=1.0) as session,
            session.writer(batch_size=10_000, on_progress=progress.append) as w,
        ):
            for start in range(0, N, 50_000):
                await w.write(_points(start, start + 50_000))
        faults = {fault: n for fault, n in proxy.counts.items() if fault is not Fault.PASS}
    assert len(faults) >= 5, faults  # the plan really injected most kinds of fault
    assert progress[-1].points_written == N
    assert progress[-1].retries >= sum(faults.values()) - faults.get(Fault.STATUS_413, 0)
    with Session(server.url, database=db) as check:
        assert _count_and_sum(check, "bulk") == (N, N * (N - 1) // 2)


def test_untimed_points_are_stamped_once_so_retries_do_not_duplicate(
    server: InfluxDBServer, db: str
) -> None:
    n = 20_000
    plan = random_plan(11, {Fault.RESET_AFTER: 0.3, Fault.STATUS_500_TIMEOUT: 0.2})
    with (
        FaultProxy(server.host, server.port, plan) as proxy,
        Session(proxy.url, database=db, retry=FAST_RETRY, batch_size=1_000) as session,
    ):
        assert session.write([Untimed(series=f"s{i}", v=i) for i in range(n)]) == n
        assert proxy.counts[Fault.RESET_AFTER] > 0
    with Session(server.url, database=db) as check:
        assert _count_and_sum(check, "untimed") == (n, n * (n - 1) // 2)


def test_raw_lines_without_timestamps_are_not_retried_after_an_ambiguous_failure(
    server: InfluxDBServer, db: str
) -> None:
    plan = random_plan(1, {Fault.RESET_AFTER: 1.0})
    with (
        FaultProxy(server.host, server.port, plan) as proxy,
        Session(proxy.url, database=db, retry=FAST_RETRY) as session,
    ):
        with pytest.raises(orm.TransportError) as caught:
            session.write("raw,k=a v=1i\nraw,k=b v=2i")
        assert proxy.requests == 1
    assert any("not retried" in note for note in caught.value.__notes__)
    with Session(server.url, database=db) as check:
        assert _count_and_sum(check, "raw") == (2, 3)  # written once, by the one request


def test_a_million_points_while_the_server_restarts(server: InfluxDBServer, db: str) -> None:
    restarted = threading.Event()

    def restart_later(session_written: list[int]) -> None:
        while session_written[0] < N // 4:
            time.sleep(0.01)
        server.restart()
        restarted.set()

    written = [0]

    def count(progress: WriterProgress) -> None:
        written[0] = progress.points_written

    restarter = threading.Thread(target=restart_later, args=(written,))
    with Session(server.url, database=db, retry=FAST_RETRY) as session:
        restarter.start()
        try:
            with session.writer(batch_size=10_000, on_progress=count) as w:
                for start in range(0, N, 10_000):
                    w.write(_points(start, start + 10_000))
        finally:
            restarter.join()
        assert restarted.is_set()
        assert w.progress.retries > 0
        assert _count_and_sum(session, "bulk") == (N, N * (N - 1) // 2)
