"""ResponseDecoder and check_query_result on crafted bodies, in both wire formats."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import msgpack
import pytest

from influxorm.exceptions import QueryError
from influxorm.results.decoding import (
    JSON,
    MSGPACK,
    ResponseDecoder,
    error_body_message,
    is_msgpack,
)
from influxorm.results.json import SERVER_CHUNK_SIZE, check_query_result

STATEMENT = 'SELECT "v" FROM "m"'


def chunk(first: int, n: int = 2, *, partial: bool = True) -> dict[str, Any]:
    series: dict[str, Any] = {
        "name": "m",
        "columns": ["time", "v"],
        "values": [[t, t] for t in range(first, first + n)],
    }
    if partial:
        series["partial"] = True
    result: dict[str, Any] = {"statement_id": 0, "series": [series]}
    if partial:
        result["partial"] = True
    return {"results": [result]}


ERROR_IN_RESULT = {"results": [{"statement_id": 0, "error": "invalid operation: boom"}]}
TOP_LEVEL_ERROR = {"error": "query interrupted"}


def as_json(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj).encode() + b"\n"


def as_msgpack(obj: dict[str, Any]) -> bytes:
    return msgpack.packb(obj)


ENCODINGS: dict[str, tuple[str, Callable[[dict[str, Any]], bytes]]] = {
    "json": (JSON, as_json),
    "msgpack": (MSGPACK, as_msgpack),
}


def first_times(objects: list[dict[str, Any]]) -> list[int]:
    return [o["results"][0]["series"][0]["values"][0][0] for o in objects]


@pytest.fixture(params=sorted(ENCODINGS))
def wire(request: pytest.FixtureRequest) -> tuple[str, Callable[[dict[str, Any]], bytes]]:
    return ENCODINGS[request.param]


@pytest.mark.parametrize("error", [ERROR_IN_RESULT, TOP_LEVEL_ERROR])
def test_good_chunks_in_the_same_read_as_an_error_come_first(
    wire: tuple[str, Callable[[dict[str, Any]], bytes]], error: dict[str, Any]
) -> None:
    content_type, encode = wire
    decoder = ResponseDecoder(content_type, STATEMENT, chunked=True)
    body = encode(chunk(0)) + encode(chunk(2, partial=False)) + encode(error)
    assert first_times(decoder.feed(body)) == [0, 2]
    with pytest.raises(QueryError) as raised:
        decoder.close()
    assert raised.value.server_message == (error.get("error") or "invalid operation: boom")
    assert raised.value.statement == STATEMENT


def test_the_pending_error_is_raised_by_the_next_feed_too(
    wire: tuple[str, Callable[[dict[str, Any]], bytes]],
) -> None:
    content_type, encode = wire
    decoder = ResponseDecoder(content_type, STATEMENT, chunked=True)
    assert first_times(decoder.feed(encode(chunk(0)) + encode(ERROR_IN_RESULT))) == [0]
    with pytest.raises(QueryError, match="boom"):
        decoder.feed(encode(chunk(9)))


def test_an_error_split_across_feeds(wire: tuple[str, Callable[[dict[str, Any]], bytes]]) -> None:
    content_type, encode = wire
    decoder = ResponseDecoder(content_type, STATEMENT, chunked=True)
    error = encode(ERROR_IN_RESULT)
    head, tail = error[:7], error[7:]
    assert first_times(decoder.feed(encode(chunk(0)) + head)) == [0]
    with pytest.raises(QueryError, match="statement #0: invalid operation: boom"):
        decoder.feed(tail)


def test_an_error_alone_raises_at_once(wire: tuple[str, Callable[[dict[str, Any]], bytes]]) -> None:
    content_type, encode = wire
    decoder = ResponseDecoder(content_type, STATEMENT, chunked=True)
    with pytest.raises(QueryError, match="boom"):
        decoder.feed(encode(ERROR_IN_RESULT))


def test_byte_by_byte(wire: tuple[str, Callable[[dict[str, Any]], bytes]]) -> None:
    content_type, encode = wire
    decoder = ResponseDecoder(content_type, STATEMENT, chunked=True)
    body = encode(chunk(0)) + encode(chunk(2)) + encode(chunk(4, partial=False))
    got: list[dict[str, Any]] = []
    for i in range(len(body)):
        got += decoder.feed(body[i : i + 1])
    got += decoder.close()
    assert first_times(got) == [0, 2, 4]


def test_msgpack_error_without_statement_id_is_numbered_by_position() -> None:
    # influxd's msgpack leaves statement_id out of an error result (captured from 1.6.7).
    body = (
        b"\x81\xa7results\x91\x81\xa5error\xd9F"
        b"invalid operation: time and *influxql.StringLiteral are not compatible"
    )
    decoder = ResponseDecoder(MSGPACK, STATEMENT, chunked=False)
    with pytest.raises(QueryError) as raised:
        decoder.feed(body)
    assert raised.value.server_message == (
        "invalid operation: time and *influxql.StringLiteral are not compatible"
    )
    assert "statement #0:" in str(raised.value)


def test_broken_bodies() -> None:
    decoder = ResponseDecoder(MSGPACK, STATEMENT, chunked=True)
    assert first_times(decoder.feed(as_msgpack(chunk(0)) + b"\xc1")) == [0]  # 0xc1: never used
    with pytest.raises(QueryError, match="not valid msgpack"):
        decoder.close()
    decoder = ResponseDecoder(MSGPACK, STATEMENT, chunked=True)
    decoder.feed(as_msgpack(chunk(0))[:-3])
    with pytest.raises(QueryError, match="middle of an object"):
        decoder.close()
    decoder = ResponseDecoder(JSON, STATEMENT, chunked=True)
    assert first_times(decoder.feed(as_json(chunk(0)) + b'{"results": [\n')) == [0]
    with pytest.raises(QueryError, match="not JSON"):
        decoder.close()


def test_plain_json_body_is_one_document() -> None:
    decoder = ResponseDecoder(JSON, STATEMENT, chunked=False)
    pretty = json.dumps(chunk(0, partial=False), indent=2).encode()
    assert decoder.feed(pretty) == []
    assert first_times(decoder.close()) == [0]


def test_error_body_message() -> None:
    # A 400 body for Accept: application/x-msgpack, captured from influxd 1.6.7.
    body = (
        b"\x81\xa5error\xd9\\error parsing query: found EOF, expected identifier, "
        b"string, number, bool at line 1, char 14"
    )
    assert error_body_message(body, "application/x-msgpack") == (
        "error parsing query: found EOF, expected identifier, string, number, bool "
        "at line 1, char 14"
    )
    assert error_body_message(body, "application/json") is None
    assert error_body_message(b"not msgpack \xc1", MSGPACK) is None
    assert error_body_message(msgpack.packb([1]), MSGPACK) is None
    assert is_msgpack("application/x-msgpack; charset=utf-8")
    assert not is_msgpack(None)


# -- "partial" on plain responses ------------------------------------------------------


def plain(n: int, *, series_partial: bool, result_partial: bool = False) -> dict[str, Any]:
    response = chunk(0, n, partial=series_partial)
    result = response["results"][0]
    result.pop("partial", None)
    if result_partial:
        result["partial"] = True
    return response


def test_a_merged_complete_series_is_not_an_error() -> None:
    # influxd merges its internal 10,000-point chunks and keeps the first one's mark.
    check_query_result(plain(SERVER_CHUNK_SIZE + 1, series_partial=True), STATEMENT)


@pytest.mark.parametrize("n", [1, SERVER_CHUNK_SIZE])
def test_a_series_cut_by_max_row_limit_is_an_error(n: int) -> None:
    with pytest.raises(QueryError, match=f"max-row-limit: series 'm' stops after {n} rows"):
        check_query_result(plain(n, series_partial=True), STATEMENT)


def test_a_partial_statement_result_is_an_error() -> None:
    response = plain(SERVER_CHUNK_SIZE + 5, series_partial=True, result_partial=True)
    with pytest.raises(QueryError, match="truncated") as raised:
        check_query_result(response, STATEMENT)
    assert raised.value.statement == STATEMENT


def test_partial_in_a_chunk_only_means_more_follows() -> None:
    check_query_result(plain(3, series_partial=True, result_partial=True), STATEMENT, chunked=True)


def test_chunked_msgpack_error_without_statement_id_is_not_numbered() -> None:
    decoder = ResponseDecoder(MSGPACK, STATEMENT, chunked=True)
    with pytest.raises(QueryError, match=r"^query failed: boom; statement"):
        decoder.feed(as_msgpack({"results": [{"error": "boom"}]}))
