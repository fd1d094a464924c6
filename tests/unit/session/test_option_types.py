"""Session options of the wrong type or range are a ValidationError naming the option,
raised when the session is made (not a TypeError from deep inside at the first request)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from influxorm.exceptions import ValidationError
from influxorm.session import AsyncSession, RetryPolicy, Session
from influxorm.session.config import SessionConfig
from influxorm.session.options import parse_url

BAD: list[tuple[str, object, str]] = [
    ("timeout", "5", "option timeout must be a number of seconds > 0, or None, not '5' (str)"),
    ("timeout", 0, "option timeout must be a number of seconds > 0, or None, not 0"),
    ("timeout", -1.5, "not -1.5"),
    ("timeout", float("nan"), "not nan"),
    ("timeout", float("inf"), "not inf"),
    ("timeout", True, "not True (bool)"),
    ("connect_timeout", "1", "option connect_timeout must be"),
    ("read_timeout", [1], "option read_timeout must be"),
    ("gzip", "yes", "option gzip must be True or False, not 'yes' (str)"),
    ("verify_ssl", "false", "option verify_ssl must be True or False"),
    ("inline_statements", 1, "option inline_statements must be True or False, not 1 (int)"),
    ("batch_size", "100", "option batch_size must be an int >= 1, not '100' (str)"),
    ("batch_size", 0, "option batch_size must be an int >= 1, not 0"),
    ("batch_size", 1.5, "not 1.5 (float)"),
    ("max_concurrency", None, "option max_concurrency must be an int >= 1, not None"),
    ("max_connections", "8", "option max_connections must be"),
    ("retry_attempts", "3", "option retry_attempts must be an int >= 1"),
    ("retry_attempts", 0, "option retry_attempts must be an int >= 1, not 0"),
    ("retry", 3, "option retry must be a RetryPolicy or None, not 3 (int)"),
    ("headers", "X-A: 1", "option headers must be a mapping"),
    ("headers", {"X-A": 1}, "option headers must map str to str, not str to int"),
    ("database", 5, "option database must be a str or None, not 5 (int)"),
    ("username", b"me", "option username must be a str or None"),
    ("unix_socket", 1, "option unix_socket must be a file path"),
    ("ssl_ca", 1, "option ssl_ca must be a file path"),
    ("output", "xml", "unknown output 'xml'"),
    ("output", 5, "unknown output 5"),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD)
@pytest.mark.parametrize("kind", [SessionConfig, AsyncSession, Session])
def test_a_bad_option_is_a_validation_error_naming_it(
    kind: Any, name: str, value: object, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        kind("http://localhost:8086", **{name: value})
    assert message in str(caught.value)


def test_a_url_that_is_not_text_is_refused() -> None:
    with pytest.raises(ValidationError, match="option url must be a str, not a bytes"):
        SessionConfig(b"http://localhost:8086")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["password", "token", "ssl_password"])
def test_a_secret_of_the_wrong_type_is_never_quoted(name: str) -> None:
    options: dict[str, Any] = {name: 918273645}
    if name == "password":
        options["username"] = "me"
    with pytest.raises(ValidationError) as caught:
        SessionConfig("http://localhost:8086", **options)
    assert f"option {name} must be a str or None, not a int" in str(caught.value)
    assert "918273645" not in str(caught.value)
    assert caught.value.value is None


def test_a_header_value_is_never_quoted() -> None:
    with pytest.raises(ValidationError) as caught:
        SessionConfig("http://localhost:8086", headers={"Authorization": b"Token s3cr3t"})
    assert "s3cr3t" not in str(caught.value)
    assert "header 'Authorization'" in str(caught.value)


def test_good_options_of_every_kind_are_taken() -> None:
    config = SessionConfig(
        "http://localhost:8086",
        timeout=5,
        connect_timeout=0.5,
        read_timeout=None,
        gzip=True,
        verify_ssl=False,
        batch_size=10,
        max_concurrency=1,
        max_connections=2,
        retry_attempts=1,
        headers={"X-A": "1"},
    )
    assert config.connect_timeout == 0.5
    assert config.read_timeout == 5
    assert config.retry.max_attempts == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_attempts": "3"}, "max_attempts must be an int >= 1, not '3'"),
        ({"max_attempts": 2.0}, "max_attempts must be an int >= 1"),
        ({"initial_delay": "0.1"}, "initial_delay must be a positive number"),
        ({"multiplier": float("nan")}, "multiplier must be a positive number, not nan"),
        ({"max_delay": 0}, "max_delay must be a positive number, not 0"),
        ({"deadline": "60"}, "deadline must be a positive number of seconds or None"),
        ({"jitter": "no"}, "jitter must be True or False, not 'no'"),
    ],
)
def test_a_bad_retry_policy_is_a_validation_error(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        RetryPolicy(**options)
    assert message in str(caught.value)


@pytest.mark.parametrize("chunked", [True, False])
@pytest.mark.parametrize("chunk_size", ["100", 0, -5, 1.5, True])
def test_a_bad_chunk_size_is_a_validation_error_naming_it(
    chunked: bool, chunk_size: object
) -> None:
    config = SessionConfig("http://localhost:8086")
    with pytest.raises(ValidationError) as caught:
        config.query_request(
            "SELECT * FROM m",
            db="d",
            rp=None,
            epoch="ns",
            params=None,
            chunked=chunked,
            chunk_size=chunk_size,  # type: ignore[arg-type]
        )
    assert f"chunk_size must be a positive int, not {chunk_size!r}" in str(caught.value)


WRITER_BAD: list[tuple[str, object, str]] = [
    ("batch_size", "100", "option batch_size must be an int >= 1, not '100' (str)"),
    ("batch_size", 0, "option batch_size must be an int >= 1, not 0"),
    ("flush_interval", "1", "option flush_interval must be a number of seconds > 0"),
    ("flush_interval", 0, "option flush_interval must be a number of seconds > 0"),
    ("max_concurrency", 2.0, "option max_concurrency must be an int >= 1, not 2.0 (float)"),
    ("max_buffer", "9", "option max_buffer must be an int >= 1, not '9' (str)"),
]


@pytest.mark.parametrize(("name", "value", "message"), WRITER_BAD)
def test_a_bad_writer_option_is_a_validation_error_naming_it(
    name: str, value: object, message: str
) -> None:

    async def make_async_writer() -> None:
        async with AsyncSession("http://localhost:8086", database="d") as session:
            session.writer(**{name: value})

    with pytest.raises(ValidationError) as caught:
        asyncio.run(make_async_writer())
    assert message in str(caught.value)
    with (
        Session("http://localhost:8086", database="d") as session,
        pytest.raises(ValidationError) as blocking,
    ):
        session.writer(**{name: value})
    assert message in str(blocking.value)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("retries=0", "option retries must be an int >= 1, not 0"),
        ("timeout=-1", "option timeout must be a number of seconds > 0, or None, not -1.0"),
        ("batch_size=0", "option batch_size must be an int >= 1, not 0"),
        ("max_concurrency=x", "option max_concurrency must be an integer, not 'x'"),
    ],
)
def test_url_options_are_checked_under_their_url_names(query: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        AsyncSession.from_url(f"http://localhost:8086/db?{query}")
    assert message in str(caught.value)


def test_inline_statements_is_a_url_option() -> None:
    options = parse_url("http://localhost:8086/market?inline_statements=true")
    assert SessionConfig(**options).inline_statements is True
    assert SessionConfig("http://localhost:8086").inline_statements is False
    with pytest.raises(ValidationError, match="option inline_statements must be true or false"):
        parse_url("http://localhost:8086/market?inline_statements=maybe")
