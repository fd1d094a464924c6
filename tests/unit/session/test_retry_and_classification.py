"""Pure parts: retry schedule, Retry-After, classification of exact server bodies, splits,
URL options and query patterns."""

from __future__ import annotations

import random

import pytest

from influxorm.exceptions import (
    AuthenticationError,
    DatabaseNotFoundError,
    FieldTypeConflictError,
    InternalServerError,
    LineProtocolError,
    PartialFieldTypeConflictError,
    PartialWriteError,
    RequestTooLargeError,
    RetentionPolicyNotFoundError,
    ServerTimeoutError,
    ThrottledError,
    TransportError,
    ValidationError,
)
from influxorm.linescan import is_timestamped
from influxorm.session.batching import split_body, split_by_size
from influxorm.session.errors import error_for_status, retry_after_seconds
from influxorm.session.messages import Endpoint, Request
from influxorm.session.options import parse_url
from influxorm.session.patterns import QueryPattern
from influxorm.session.retry import RetryPolicy, is_retryable

WRITE = Request("POST", Endpoint.WRITE, points=4)

# Bodies captured from influxd 1.6.7.
BODIES: list[tuple[int, bytes, type[Exception], tuple[str, ...], int | None]] = [
    (
        400,
        b'{"error":"unable to parse \'garbage\': missing fields"}\n',
        LineProtocolError,
        ("garbage",),
        None,
    ),
    (
        400,
        b'{"error":"partial write: unable to parse \'bad line here\': invalid field format\\n'
        b"unable to parse 'also bad': invalid field format dropped=0\"}\n",
        PartialWriteError,
        ("bad line here", "also bad"),
        0,
    ),
    (
        400,
        b'{"error":"partial write: field type conflict: input field \\"v\\" on measurement '
        b'\\"c\\" is type float, already exists as type integer dropped=2"}\n',
        PartialFieldTypeConflictError,
        (),
        2,
    ),
    (400, b'{"error":"field type conflict"}\n', FieldTypeConflictError, (), 4),
    (
        400,
        b'{"error":"partial write: points beyond retention policy dropped=2"}\n',
        PartialWriteError,
        (),
        2,
    ),
    (
        400,
        b'{"error":"partial write: max-series-per-database limit exceeded: (3) dropped=5"}\n',
        PartialWriteError,
        (),
        5,
    ),
    (404, b'{"error":"database not found: \\"nope\\""}\n', DatabaseNotFoundError, (), None),
    (
        500,
        b'{"error":"retention policy not found: nope"}\n',
        RetentionPolicyNotFoundError,
        (),
        None,
    ),
    (413, b'{"error":"Request Entity Too Large"}\n', RequestTooLargeError, (), None),
    (500, b'{"error":"timeout"}\n', ServerTimeoutError, (), None),
    (
        500,
        b'{"error":"engine: cache-max-memory-size exceeded: (1/0)"}\n',
        InternalServerError,
        (),
        None,
    ),
    (503, b"request throttled, queue full\n", ThrottledError, (), None),
    (401, b'{"error":"authorization failed"}\n', AuthenticationError, (), None),
    (
        403,
        b'{"error":"\\"ro\\" user is not authorized to write to database \\"db\\""}\n',
        AuthenticationError,
        (),
        None,
    ),
]


@pytest.mark.parametrize(("status", "body", "kind", "lines", "dropped"), BODIES)
def test_write_bodies_are_classified(
    status: int, body: bytes, kind: type[Exception], lines: tuple[str, ...], dropped: int | None
) -> None:
    error = error_for_status(WRITE, status, body)
    assert type(error) is kind
    assert error.status == status
    if hasattr(error, "rejected_lines"):
        assert error.rejected_lines == lines
        assert error.dropped == dropped


def test_partial_write_reason_and_written_flag() -> None:
    error = error_for_status(WRITE, 400, BODIES[4][1])  # dropped 2 of 4
    assert isinstance(error, PartialWriteError)
    assert error.reason == "points beyond retention policy"
    assert error.written is True
    assert "refused 2 and wrote the others" in str(error)
    assert LineProtocolError.written is False


@pytest.mark.parametrize("index", [2, 4, 5])
def test_a_partial_write_that_dropped_every_point_wrote_nothing(index: int) -> None:
    body = BODIES[index][1]
    dropped = BODIES[index][4]
    assert dropped is not None
    error = error_for_status(Request("POST", Endpoint.WRITE, points=dropped), 400, body)
    assert isinstance(error, PartialWriteError)
    assert error.written is False
    assert error.refused_all
    assert "nothing written" in str(error)
    assert "wrote the others" not in str(error)


def test_a_partial_write_whose_every_line_is_unparsable_wrote_nothing() -> None:
    error = error_for_status(Request("POST", Endpoint.WRITE, points=2), 400, BODIES[1][1])
    assert isinstance(error, PartialWriteError)
    assert error.written is False


def test_retry_schedule_is_exponential_capped_and_jittered() -> None:
    policy = RetryPolicy(max_attempts=6, initial_delay=0.1, multiplier=2, max_delay=1.0)
    delays = policy.schedule(random.Random(42))
    caps = [0.1, 0.2, 0.4, 0.8, 1.0]
    assert len(delays) == 5
    for delay, cap in zip(delays, caps, strict=True):
        assert cap / 2 <= delay <= cap
    assert delays == RetryPolicy(
        max_attempts=6, initial_delay=0.1, multiplier=2, max_delay=1.0
    ).schedule(random.Random(42))
    exact = RetryPolicy(max_attempts=4, jitter=False, initial_delay=1, max_delay=3)
    assert exact.schedule(random.Random(0)) == [1, 2, 3]
    assert exact.delay(1, random.Random(0), retry_after=7.0) == 7.0


def test_policy_validation() -> None:
    with pytest.raises(ValidationError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValidationError):
        RetryPolicy(deadline=-1)


def test_retry_after_parsing() -> None:
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("5") == 5.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert retry_after_seconds("soon") is None
    error = error_for_status(WRITE, 429, b"{}", {"Retry-After": "3"})
    assert isinstance(error, ThrottledError)
    assert error.retry_after == 3.0


def test_what_is_retried() -> None:
    assert is_retryable(ThrottledError("x", status=503, server_message=""), idempotent=False)
    assert is_retryable(TransportError("reset"), idempotent=True)
    assert not is_retryable(TransportError("reset"), idempotent=False)
    assert is_retryable(TransportError("reset"), idempotent=lambda: True)
    assert not is_retryable(error_for_status(WRITE, 400, BODIES[0][1]), idempotent=True)
    assert not is_retryable(error_for_status(WRITE, 500, BODIES[7][1]), idempotent=True)


def test_413_split_at_line_boundaries() -> None:
    assert split_body(b"a 1\nb 2\nc 3\nd 4") == (b"a 1\nb 2", b"c 3\nd 4")
    with pytest.raises(RequestTooLargeError):
        split_body(b"one long line")
    assert list(split_by_size(b"aa\nbb\ncc\ndd", 5)) == [b"aa\nbb", b"cc\ndd"]


@pytest.mark.parametrize(
    ("body", "timestamped"),
    [
        (b'm v=1 1\nm,t=a s="x 5",v=2i -7', True),
        (b"m v=1 1\nm v=1", False),
        (b'm s="a 5"', False),
        (b"m v=1i", False),
        (b"m f\\ 1=2", False),
    ],
)
def test_timestamp_detection(body: bytes, timestamped: bool) -> None:
    assert is_timestamped(body) is timestamped


def test_url_options() -> None:
    options = parse_url("https://u%40x:p%3Aw@db.example:8086/influx/market?timeout=5&gzip=true")
    assert options == {
        "url": "https://db.example:8086/influx",
        "database": "market",
        "username": "u@x",
        "password": "p:w",
        "timeout": 5.0,
        "gzip": True,
    }
    assert parse_url("http+unix://%2Ftmp%2Fs.sock/d")["unix_socket"] == "/tmp/s.sock"
    with pytest.raises(ValidationError):
        parse_url("http://h/?nope=1")


def test_query_patterns() -> None:
    pattern = QueryPattern("SELECT * FROM {m:ident} WHERE t = {v} AND n > {n:int}")
    assert pattern.format({"m": 'a"b', "v": "x'y", "n": 3}) == (
        "SELECT * FROM \"a\\\"b\" WHERE t = 'x\\'y' AND n > 3"
    )
    with pytest.raises(ValidationError):
        pattern.format({"m": "a", "v": "b"})
    with pytest.raises(ValidationError):
        QueryPattern("SELECT {x:sql}")
