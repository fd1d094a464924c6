"""Decoding query bodies into response dicts: msgpack when installed, else JSON.

For DataFrames the session asks for ``Accept: application/x-msgpack`` (:func:`frame_accept`)
because msgpack keeps int vs float and decodes about twice as fast as JSON; without the
``msgpack`` package it asks for JSON. A :class:`ResponseDecoder` takes the body as it
arrives (``feed`` any slices of bytes) and hands back each complete response object: the
whole answer for a plain query, one object per chunk for ``chunked=true``. msgpack
arrays decode as tuples (a third faster than lists: rows are only read), JSON arrays as
lists; every consumer in :mod:`influxorm.results` takes either. Every object
is checked with :func:`influxorm.results.json.check_query_result`, so an error that
arrives after good chunks raises when its chunk is decoded.
"""

from __future__ import annotations

import json
from typing import Any

from influxorm.exceptions import QueryError
from influxorm.results._gc import gc_paused
from influxorm.results.json import check_query_result, describe_statement

__all__ = ["JSON", "MSGPACK", "ResponseDecoder", "frame_accept"]

JSON = "application/json"
MSGPACK = "application/x-msgpack"


def frame_accept() -> str:
    """The ``Accept`` header to send for DataFrame output."""
    try:
        import msgpack  # noqa: F401
    except ImportError:
        return JSON
    return MSGPACK


class ResponseDecoder:
    """Incremental decoder for one query response body (plain or chunked).

    ``content_type`` is the response's Content-Type (or the Accept that was sent).
    """

    def __init__(self, content_type: str, statement: str, *, chunked: bool) -> None:
        self.statement = statement
        self.chunked = chunked
        self._msgpack = content_type.split(";")[0].strip() == MSGPACK
        self._buffer = bytearray()
        self._fed = 0
        self._unpacker: Any = None
        if self._msgpack:
            import msgpack

            self._unpacker = msgpack.Unpacker(raw=False, strict_map_key=False, use_list=False)

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        """Add body bytes; return the response objects they complete (checked)."""
        if self._msgpack:
            self._unpacker.feed(data)
            self._fed += len(data)
            with gc_paused():
                return [self._check(obj) for obj in self._unpacker]
        self._buffer += data
        if not self.chunked:
            return []
        end = self._buffer.rfind(b"\n")
        if end < 0:
            return []
        complete = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return [self._parse(line) for line in complete.split(b"\n") if line.strip()]

    def close(self) -> list[dict[str, Any]]:
        """The body is complete: return what is left; raise on a truncated body."""
        if self._msgpack:
            if self._unpacker.tell() != self._fed:
                raise self._broken("the msgpack body ends in the middle of an object")
            return []
        rest = bytes(self._buffer).strip()
        self._buffer.clear()
        return [self._parse(line) for line in rest.split(b"\n") if line.strip()]

    def _parse(self, body: bytes) -> dict[str, Any]:
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise self._broken(f"the server's answer is not JSON ({exc})") from None
        return self._check(payload)

    def _check(self, payload: Any) -> dict[str, Any]:
        check_query_result(payload, self.statement, chunked=self.chunked)
        result: dict[str, Any] = payload
        return result

    def _broken(self, message: str) -> QueryError:
        return QueryError(
            f"{message}; {describe_statement(self.statement)}",
            status=200,
            server_message=message,
            statement=self.statement,
        )
