"""Retries that end are logged where operators look (issue 13, item 7).

Through the real fault-injecting proxy in front of a real influxd: a request that
succeeds after retries is one INFO record, a request given up one WARNING record with the
attempts and the last error, and neither carries credentials. Each retry stays at DEBUG.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator

import pytest
from support.faultproxy import Fault, FaultProxy, RequestInfo

from influxorm.exceptions import ThrottledError, TransportError
from influxorm.session import Session
from influxorm.session.retry import RetryPolicy
from influxorm.testing import InfluxDBServer

FAST = RetryPolicy(max_attempts=4, initial_delay=0.01, max_delay=0.02, jitter=False)
PASSWORD = "pa#ss/w?rd@SECRET"


@pytest.fixture
def db(influxdb_server: InfluxDBServer) -> Iterator[str]:
    name = f"retrylog_{uuid.uuid4().hex[:12]}"
    influxdb_server.execute(f'CREATE DATABASE "{name}"')
    yield name
    influxdb_server.execute(f'DROP DATABASE "{name}"')


def _first(count: int, fault: Fault, path: str) -> Callable[[RequestInfo], Fault]:
    """A plan: the first ``count`` requests to ``path`` get ``fault``; the rest pass."""
    seen = [0]

    def plan(request: RequestInfo) -> Fault:
        if not request.path.startswith(path):
            return Fault.PASS
        seen[0] += 1
        return fault if seen[0] <= count else Fault.PASS

    return plan


def _url(proxy: FaultProxy) -> str:
    return f"http://alice:{PASSWORD}@127.0.0.1:{proxy.port}"


def _records(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "influxorm" and r.levelno == level]


def test_a_query_that_succeeds_after_retries_is_logged_at_info(
    influxdb_server: InfluxDBServer, db: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="influxorm")
    plan = _first(2, Fault.STATUS_503, "/query")
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port, plan) as proxy,
        Session(_url(proxy), database=db, retry=FAST) as session,
    ):
        assert db in session.show_databases()
    (info,) = _records(caplog, logging.INFO)
    message = info.getMessage()
    assert message.startswith("GET /query succeeded on attempt 3 (2 retried failure(s), the last:")
    assert "request throttled, queue full" in message
    assert _records(caplog, logging.WARNING) == []
    retries = [r for r in _records(caplog, logging.DEBUG) if r.getMessage().startswith("retry ")]
    assert len(retries) == 2
    assert "SECRET" not in caplog.text


def test_a_write_that_succeeds_after_a_reset_is_logged_at_info(
    influxdb_server: InfluxDBServer, db: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="influxorm")
    plan = _first(1, Fault.RESET_BEFORE, "/write")
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port, plan) as proxy,
        Session(_url(proxy), database=db, retry=FAST) as session,
    ):
        assert session.write("m v=1 1\nm v=2 2") == 2
    (info,) = _records(caplog, logging.INFO)
    assert info.getMessage().startswith("write of 2 point(s) succeeded on attempt 2")
    assert "SECRET" not in caplog.text


def test_a_request_given_up_is_logged_at_warning_with_attempts_and_last_error(
    influxdb_server: InfluxDBServer, db: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="influxorm")
    plan = _first(100, Fault.STATUS_503, "/write")
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port, plan) as proxy,
        Session(_url(proxy), database=db, retry=FAST) as session,
        pytest.raises(ThrottledError) as caught,
    ):
        session.write("m v=1 1")
    assert proxy.counts[Fault.STATUS_503] == FAST.max_attempts
    (warning,) = _records(caplog, logging.WARNING)
    assert warning.getMessage() == f"write of 1 point(s) failed after 4 attempts: {caught.value}"
    assert "request throttled, queue full" in warning.getMessage()
    assert _records(caplog, logging.INFO) == []
    assert "SECRET" not in caplog.text


def test_a_retry_the_deadline_forbids_is_a_give_up(
    influxdb_server: InfluxDBServer, db: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="influxorm")
    slow = RetryPolicy(max_attempts=10, initial_delay=5.0, deadline=1.0, jitter=False)
    plan = _first(100, Fault.RESET_BEFORE, "/query")
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port, plan) as proxy,
        Session(_url(proxy), database=db, retry=slow) as session,
        pytest.raises(TransportError),
    ):
        session.show_databases()
    (warning,) = _records(caplog, logging.WARNING)
    assert warning.getMessage().startswith(
        "GET /query failed after 1 attempt(s) (the retry deadline of 1.0s would pass): "
    )
    assert "SECRET" not in caplog.text


def test_no_record_without_a_retry(
    influxdb_server: InfluxDBServer, db: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="influxorm")
    with Session(influxdb_server.url, database=db, retry=FAST) as session:
        session.write("m v=1 1")
    assert _records(caplog, logging.INFO) == _records(caplog, logging.WARNING) == []
