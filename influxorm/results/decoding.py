"""Decoding query bodies into response dicts: msgpack when installed, else JSON.

For DataFrames the session asks for ``Accept: application/x-msgpack`` (:func:`frame_accept`)
because msgpack keeps int vs float and decodes about twice as fast as JSON; without the
``msgpack`` package it asks for JSON. A :class:`ResponseDecoder` takes the body as it
arrives (``feed`` any slices of bytes) and hands back each complete response object: the
whole answer for a plain query, one object per chunk for ``chunked=true``. msgpack
arrays decode as tuples (a third faster than lists: rows are only read), JSON arrays as
lists; every consumer in :mod:`influxorm.results` takes either. Every object
is checked with :func:`influxorm.results.json.check_query_result`, so an error that
arrives after good chunks raises when its chunk is decoded, once every good chunk before
it has been handed back.

Error bodies (HTTP 4xx/5xx) come in the format asked for too: :func:`error_body_message`
reads the server's text out of a msgpack one.

msgpack and JSON answers of influxd 1.x differ in four ways (verified on 1.6.7):

* without ``epoch`` times are msgpack timestamps (ext type 5: int64 seconds, uint32
  nanoseconds), decoded here to the RFC 3339 strings JSON has (in UTC: a ``tz()``
  clause's offset is not in the msgpack timestamp);
* whole floats stay floats (JSON writes ``1`` for 1.0);
* an empty result has ``"series": []`` where JSON leaves ``series`` out;
* an error result has no ``statement_id`` (see
  :func:`~influxorm.results.json.check_query_result`).

``as_json=True`` also decodes arrays as lists and drops the empty ``series``, so the
objects equal JSON's but for the floats.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable, Iterator
from typing import Any

from influxorm.exceptions import QueryError
from influxorm.results._gc import gc_paused
from influxorm.results.json import check_query_result, describe_statement
from influxorm.timeutil import ns_to_rfc3339

__all__ = [
    "JSON",
    "MSGPACK",
    "ResponseDecoder",
    "error_body_message",
    "frame_accept",
    "is_msgpack",
]

JSON = "application/json"
MSGPACK = "application/x-msgpack"

_MSGP_TIME = 5  # the msgpack extension type of a time (tinylib/msgp, influxd's encoder)
_TIME = struct.Struct(">qI")


def frame_accept() -> str:
    """The ``Accept`` header to send for DataFrame output."""
    try:
        import msgpack  # noqa: F401
    except ImportError:
        return JSON
    return MSGPACK


def is_msgpack(content_type: str | None) -> bool:
    """Whether ``content_type`` (a Content-Type or Accept value) names msgpack."""
    return bool(content_type) and str(content_type).split(";")[0].strip().lower() == MSGPACK


def error_body_message(body: bytes, content_type: str | None) -> str | None:
    """The server's error text in a msgpack error body (``{"error": "..."}``), else None.

    influxd answers a query it cannot parse with HTTP 400 and ``{"error": ...}`` in the
    format the request asked for; read as text, the msgpack one is garbled.
    """
    if not is_msgpack(content_type):
        return None
    try:
        import msgpack
    except ImportError:
        return None
    try:
        payload = msgpack.unpackb(body, raw=False, strict_map_key=False)
    except (ValueError, msgpack.UnpackException):  # not msgpack after all
        return None
    message = payload.get("error") if isinstance(payload, dict) else None
    return message if isinstance(message, str) else None


def _ext_hook(code: int, data: bytes) -> Any:
    """A msgpack time as the RFC 3339 string JSON answers have; other extensions kept."""
    if code == _MSGP_TIME and len(data) == _TIME.size:
        seconds, nanoseconds = _TIME.unpack(data)
        return ns_to_rfc3339(seconds * 1_000_000_000 + nanoseconds)
    import msgpack

    return msgpack.ExtType(code, data)


class ResponseDecoder:
    """Incremental decoder for one query response body (plain or chunked).

    ``content_type`` is the response's Content-Type (or the Accept that was sent).
    ``as_json``: msgpack objects shaped exactly as JSON ones (see the module docstring).

    :meth:`feed` returns the response objects completed so far, each checked with
    :func:`~influxorm.results.json.check_query_result`. When an object reports an error
    (or the body is broken), every good object before it is returned first and the
    :class:`~influxorm.exceptions.QueryError` is raised by the next :meth:`feed` or
    :meth:`close` (at once when no good object precedes it in the same call).
    """

    def __init__(
        self, content_type: str, statement: str, *, chunked: bool, as_json: bool = False
    ) -> None:
        self.statement = statement
        self.chunked = chunked
        self._msgpack = is_msgpack(content_type)
        self._as_json = as_json and self._msgpack
        self._buffer = bytearray()
        self._fed = 0
        self._pending: QueryError | None = None
        self._unpacker: Any = None
        if self._msgpack:
            import msgpack

            self._unpacker = msgpack.Unpacker(
                raw=False, strict_map_key=False, use_list=as_json, ext_hook=_ext_hook
            )

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        """Add body bytes; return the response objects they complete (checked)."""
        self._raise_pending()
        if self._msgpack:
            self._unpacker.feed(data)
            self._fed += len(data)
            with gc_paused():
                return self._collect(self._unpacked())
        self._buffer += data
        if not self.chunked:
            return []
        end = self._buffer.rfind(b"\n")
        if end < 0:
            return []
        complete = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return self._collect(self._parsed(complete.split(b"\n")))

    def close(self) -> list[dict[str, Any]]:
        """The body is complete: return what is left; raise a pending error, or on a
        truncated body."""
        self._raise_pending()
        if self._msgpack:
            if self._unpacker.tell() != self._fed:
                raise self._broken("the msgpack body ends in the middle of an object")
            return []
        rest = bytes(self._buffer).strip()
        self._buffer.clear()
        # A plain body is one document; a chunked one's tail is one line (no newline in it).
        return [self._check(self._parse(rest))] if rest else []

    def _raise_pending(self) -> None:
        if self._pending is not None:
            error, self._pending = self._pending, None
            raise error

    def _collect(self, objects: Iterable[Any]) -> list[dict[str, Any]]:
        """The checked objects up to the first error; the error kept for the next call."""
        out: list[dict[str, Any]] = []
        try:
            for payload in objects:
                out.append(self._check(payload))
        except QueryError as exc:
            if not out:
                raise
            self._pending = exc
        return out

    def _unpacked(self) -> Iterator[Any]:
        import msgpack

        try:
            yield from self._unpacker
        except (ValueError, msgpack.UnpackException) as exc:
            raise self._broken(f"the server's answer is not valid msgpack ({exc})") from None

    def _parsed(self, lines: Iterable[bytes]) -> Iterator[Any]:
        for line in lines:
            if line.strip():
                yield self._parse(line)

    def _parse(self, body: bytes) -> Any:
        try:
            return json.loads(body)
        except ValueError as exc:
            raise self._broken(f"the server's answer is not JSON ({exc})") from None

    def _check(self, payload: Any) -> dict[str, Any]:
        check_query_result(payload, self.statement, chunked=self.chunked)
        result: dict[str, Any] = payload
        if self._as_json:
            for statement in result.get("results", ()):
                if "series" in statement and not statement["series"]:
                    del statement["series"]
        return result

    def _broken(self, message: str) -> QueryError:
        return QueryError(
            f"{message}; {describe_statement(self.statement)}",
            status=200,
            server_message=message,
            statement=self.statement,
        )
