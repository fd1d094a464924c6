"""Classification of server responses into exceptions, and the JSON result checks."""

from __future__ import annotations

import pytest

from influxorm.exceptions import AuthenticationError, QueryError, ServerError, WriteError
from influxorm.results.json import check_query_result, decode_query_body, may_hold_error
from influxorm.session.errors import error_for_status, server_message
from influxorm.session.messages import Endpoint, Request

WRITE = Request("POST", Endpoint.WRITE, points=2)
QUERY = Request("GET", Endpoint.QUERY, statement="SELECT * FROM m")
PING = Request("GET", Endpoint.PING)


def test_success_is_no_error() -> None:
    assert error_for_status(WRITE, 204, b"") is None
    assert error_for_status(QUERY, 200, b"{}") is None


def test_write_error_carries_the_server_message() -> None:
    body = b'{"error":"unable to parse \'m v=\': missing field value"}\n'
    error = error_for_status(WRITE, 400, body)
    assert isinstance(error, WriteError)
    assert error.status == 400
    assert error.server_message == "unable to parse 'm v=': missing field value"
    assert "2 point(s)" in str(error)


def test_query_error_carries_the_statement() -> None:
    error = error_for_status(QUERY, 400, b'{"error":"error parsing query: x"}')
    assert isinstance(error, QueryError)
    assert error.statement == "SELECT * FROM m"
    assert "SELECT * FROM m" in str(error)


@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize("request_", [WRITE, QUERY, PING])
def test_auth_failures(status: int, request_: Request) -> None:
    error = error_for_status(request_, status, b'{"error":"authorization failed"}')
    assert isinstance(error, AuthenticationError)
    assert error.server_message == "authorization failed"


def test_plain_text_bodies_and_other_endpoints() -> None:
    error = error_for_status(PING, 418, b"request throttled, queue full\n")
    assert type(error) is ServerError
    assert error.server_message == "request throttled, queue full"
    assert server_message(b"") == ""


def test_errors_inside_a_200() -> None:
    payload = {"results": [{"statement_id": 0, "error": "database not found: x"}]}
    with pytest.raises(QueryError, match="database not found") as caught:
        check_query_result(payload, "SELECT 1")
    assert caught.value.status == 200
    assert caught.value.statement == "SELECT 1"


def test_top_level_error_of_a_chunked_response() -> None:
    with pytest.raises(QueryError, match="timeout"):
        check_query_result({"error": "timeout"}, "SELECT 1", chunked=True)


def test_partial_series_is_an_error_unless_chunked() -> None:
    payload = {"results": [{"statement_id": 0, "series": [{"name": "m", "partial": True}]}]}
    with pytest.raises(QueryError, match="truncated"):
        check_query_result(payload, "SELECT 1")
    check_query_result(payload, "SELECT 1", chunked=True)


def test_decode_query_body() -> None:
    assert decode_query_body(b'{"results":[{"statement_id":0}]}', "q") == {
        "results": [{"statement_id": 0}]
    }
    with pytest.raises(QueryError, match="not JSON"):
        decode_query_body(b"<html>", "q")


def test_may_hold_error_is_a_safe_prefilter() -> None:
    assert not may_hold_error(b'{"results":[{"statement_id":0}]}')
    assert may_hold_error(b'{"results":[{"statement_id":0,"error":"x"}]}')
    assert may_hold_error(b'{"results":[{"series":[{"partial":true}]}]}')


def test_long_statements_are_shortened_in_messages() -> None:
    statement = "SELECT " + "x" * 1000
    error = error_for_status(Request("GET", Endpoint.QUERY, statement=statement), 400, b"bad")
    assert isinstance(error, QueryError)
    assert error.statement == statement
    assert len(str(error)) < 500
