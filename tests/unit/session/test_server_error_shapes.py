"""2.x and InfluxDB 3 error bodies map to the same typed errors as 1.x bodies.

DOCUMENTED SHAPES: every body below is copied from InfluxData's documentation, server
source or an issue capturing a server's answer (source on each), not captured here: only
influxd 1.6.7 runs on this machine. These tests check parsing, not server behaviour
(docs/servers.md lists the sources).
"""

from __future__ import annotations

import pytest

from influxorm.exceptions import (
    DatabaseNotFoundError,
    InternalServerError,
    LineProtocolError,
    PartialWriteError,
    QueryError,
    RequestTooLargeError,
    WriteError,
)
from influxorm.session.errors import error_for_status
from influxorm.session.messages import Endpoint, Request

QUERY = Request("GET", Endpoint.QUERY, statement="SELECT * FROM m")


def _write(lines: list[str]) -> Request:
    body = "\n".join(lines).encode()
    return Request("POST", Endpoint.WRITE, body=body, lines=body, points=len(lines))


# -- 2.x -------------------------------------------------------------------------------


def test_2x_query_parse_error_is_a_query_error() -> None:
    # Documented shape: influxdata/influxdb issue #21173 (2.0.4, 400).
    body = (
        b'{"code": "invalid", "message": "failed to parse query: found SOMETHING, expected '
        b"SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER,\\nSET, KILL at "
        b'line 1, char 1"}'
    )
    error = error_for_status(QUERY, 400, body)
    assert isinstance(error, QueryError)
    assert error.server_message.startswith("failed to parse query: found SOMETHING")
    assert error.statement == "SELECT * FROM m"


def test_2x_partial_write_is_a_partial_write_error() -> None:
    # Documented shape: docs.influxdata.com/influxdb/v2/write-data/troubleshoot/ (422,
    # {"code":"unprocessable entity","message": <this text>}).
    message = (
        "failure writing points to database: partial write: dropped 4 points outside "
        "retention policy of duration 24h0m0s - oldest point home,room=Living\\\\ Room at "
        "1970-01-01T00:00:01.541Z dropped because it violates a Retention Policy Lower "
        "Bound at 2025-05-20T19:06:17.612973Z dropped=4 for database: 9f282d63c7d3a5c0 "
        "for retention policy: autogen"
    )
    body = ('{"code":"unprocessable entity","message":' + _json(message) + "}").encode()
    error = error_for_status(_write([f"m v={i} {i}" for i in range(10)]), 422, body)
    assert isinstance(error, PartialWriteError)
    assert error.dropped == 4
    assert error.written is True
    assert error.reason.startswith("dropped 4 points outside retention policy")
    assert error.server_message == message


def test_2x_partial_write_of_every_point_says_nothing_was_written() -> None:
    # Documented shape: influxdata/influxdb discussion #24440.
    message = (
        'failure writing points to database: partial write: input field "body" on '
        'measurement "imgLog" is too long, 2634888 > 1048576 dropped=1'
    )
    body = ('{"code":"unprocessable entity","message":' + _json(message) + "}").encode()
    error = error_for_status(_write(["imgLog body=1"]), 422, body)
    assert isinstance(error, PartialWriteError)
    assert error.dropped == 1
    assert error.written is False


def test_2x_unmapped_database_is_database_not_found() -> None:
    # Documented shape: influxdata/influxdb http/legacy/write_handler.go (findMapping), 404.
    body = b'{"code":"not found","message":"no dbrp mapping found"}'
    error = error_for_status(_write(["m v=1"]), 404, body)
    assert isinstance(error, DatabaseNotFoundError)
    assert error.server_message == "no dbrp mapping found"


def test_2x_request_too_large_is_split_and_resent() -> None:
    # Documented shape: the 2.x error envelope (kit/transport/http/error_handler.go), 413.
    body = b'{"code":"request too large","message":"unable to read data: too large"}'
    error = error_for_status(_write(["m v=1", "m v=2"]), 413, body)
    assert isinstance(error, RequestTooLargeError)


# -- InfluxDB 3 Core / Enterprise --------------------------------------------------------


def test_3_core_partial_write_lists_the_rejected_lines() -> None:
    # Documented shape: docs.influxdata.com/influxdb3/core/write-data/http-api/v3-write-lp/
    lines = ["home,room=Kitchen temp=72.0 1735549200", "home,room=Sunroom temp=hi 1735549200"]
    body = (
        b'{"error": "partial write of line protocol occurred", "data": [{"original_line": '
        b'"home,room=Sunroom temp=hi 1735549200", "line_number": 2, "error_message": '
        b"\"invalid column type for column 'temp', expected iox::column_type::field::float, "
        b'got iox::column_type::field::string"}]}'
    )
    error = error_for_status(_write(lines), 400, body)
    assert isinstance(error, PartialWriteError)
    assert error.rejected_lines == ("home,room=Sunroom temp=hi 1735549200",)
    assert error.written is True
    assert "line 2: invalid column type" in error.reason


def test_3_core_partial_write_of_every_line_says_nothing_was_written() -> None:
    # Documented shape: influxdb3_server http.rs test (write_lp), several lines.
    body = (
        b'{"error":"partial write of line protocol occurred","data":['
        b'{"original_line":"cpu,host=a val= 123","line_number":1,"error_message":"No fields '
        b'were provided"},{"original_line":"cpu,host=b","line_number":2,"error_message":"No '
        b'fields were provided"}]}'
    )
    error = error_for_status(_write(["cpu,host=a val= 123", "cpu,host=b"]), 400, body)
    assert isinstance(error, PartialWriteError)
    assert error.rejected_lines == ("cpu,host=a val= 123", "cpu,host=b")
    assert error.written is False
    assert "nothing written" in str(error)


def test_3_core_query_errors_in_plain_text_and_error_objects() -> None:
    # Derived from influxdb3_server http.rs (no documented example): 404 {"error"}, 500 text.
    missing = error_for_status(QUERY, 404, b'{"error":"query error: database not found: x"}')
    assert isinstance(missing, QueryError)
    assert missing.server_message == "query error: database not found: x"
    several = error_for_status(QUERY, 500, b"must provide only one InfluxQl statement per query")
    assert isinstance(several, InternalServerError)
    refused = error_for_status(QUERY, 500, b"invalid mime type (application/x-msgpack)")
    assert isinstance(refused, QueryError)  # a fault of the request: not retried


# -- InfluxDB 3 Cloud Dedicated / Clustered / Serverless -----------------------------------


def test_3_cloud_rejected_points_name_their_lines() -> None:
    # Documented shape: docs.influxdata.com/influxdb3/cloud-dedicated/write-data/troubleshoot/
    body = (
        b'{"code": "invalid", "line": 2, "message": "failed to parse line protocol:\\n  '
        b"errors encountered on line(s):\\n  error parsing line 2 (1-based): Invalid "
        b"measurement was provided\\n  error parsing line 4 (1-based): Unable to parse "
        b"timestamp value '123461000000000000000000000000'\"}"
    )
    lines = ["m v=1 1", ",v=2 2", "m v=3 3", "m v=4 123461000000000000000000000000", "m v=5 5"]
    error = error_for_status(_write(lines), 400, body)
    assert isinstance(error, PartialWriteError)
    assert error.rejected_lines == (",v=2 2", "m v=4 123461000000000000000000000000")
    # Written only if the cluster accepts partial writes: unknown.
    assert error.written is None


def test_3_cloud_request_errors_are_write_errors() -> None:
    # Documented shape: docs.influxdata.com/influxdb3/cloud-dedicated/guides/api-compatibility/v1/
    body = (
        b'{ "code":"invalid", "message":"failed to deserialize db/rp/precision in request: '
        b'unknown variant `u`, expected one of `s`, `ms`, `us`, `ns`" }'
    )
    error = error_for_status(_write(["m v=1"]), 400, body)
    assert type(error) is WriteError
    assert error.server_message.startswith("failed to deserialize db/rp/precision")


@pytest.mark.parametrize(
    "body",
    [
        b'{"error":"unable to parse \'m v=\': missing field value"}',  # 1.x (captured)
        b'{"code":"invalid","message":"unable to parse \'m v=\': missing field value"}',  # 2.x
    ],
)
def test_unparsable_lines_read_alike_from_1x_and_2x(body: bytes) -> None:
    error = error_for_status(_write(["m v="]), 400, body)
    assert isinstance(error, LineProtocolError)
    assert error.rejected_lines == ("m v=",)


def _json(text: str) -> str:
    import json

    return json.dumps(text)
