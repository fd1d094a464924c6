"""Classification of server responses into influxorm exceptions: the one place it happens.

The exact bodies are those of influxd 1.6.7 (see ``INFLUXDB_NOTES.md``); the unit tests
hold copies captured from the real server. The other generations' bodies, read whatever
the session's server profile (documented shapes, see ``docs/servers.md``):

* 2.x: ``{"code": "...", "message": "..."}`` (a partial write is a 422 whose message holds
  ``partial write: ... dropped=N``; an unmapped database a 404 ``no dbrp mapping found``);
* InfluxDB 3 Core/Enterprise: ``{"error": "partial write of line protocol occurred",
  "data": [{"original_line", "line_number", "error_message"}, ...]}``, other errors as
  ``{"error": ...}`` or plain text;
* InfluxDB 3 Cloud Dedicated/Clustered/Serverless: ``{"code": "invalid", "line": N,
  "message": "... error parsing line N (1-based): ..."}``.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Mapping
from typing import Final

from influxorm.exceptions import (
    AuthenticationError,
    DatabaseNotFoundError,
    FieldTypeConflictError,
    InternalServerError,
    LineProtocolError,
    PartialFieldTypeConflictError,
    PartialWriteError,
    QueryError,
    RequestTooLargeError,
    RetentionPolicyNotFoundError,
    ServerError,
    ServerTimeoutError,
    ThrottledError,
    WriteError,
)
from influxorm.linescan import line_spans
from influxorm.redaction import scrub_server_message
from influxorm.results.decoding import error_body_message
from influxorm.results.json import describe_statement
from influxorm.session.messages import Endpoint, Request, Response

__all__ = [
    "dropped_count",
    "error_for_status",
    "raise_for_response",
    "rejected_lines",
    "retry_after_seconds",
    "server_message",
]

_MAX_MESSAGE: Final = 2000
# One per unparsable line: "unable to parse '<line>': <reason>"; a line holds no LF, and
# the greedy group ends at the last "': " of its own line.
_UNPARSABLE: Final = re.compile(r"unable to parse '(.*)': ")
_DROPPED: Final = re.compile(r" dropped=(\d+)\s*$")
_PARTIAL: Final = "partial write: "
_ANY_DROPPED: Final = re.compile(r" dropped=(\d+)")
_V3_PARTIAL: Final = "partial write of line protocol occurred"
_LINE_NUMBER: Final = re.compile(r"error parsing line (\d+) \(1-based\)")


def server_message(body: bytes, content_type: str | None = None) -> str:
    """The server's error text: the ``error`` member of a JSON or msgpack body (the
    format the request's Accept asked for), else the text."""
    text = error_body_message(body, content_type)
    if text is None:
        text = body.decode("utf-8", errors="replace").strip()
        payload = _json_object(body)
        error, message = payload.get("error"), payload.get("message")
        if isinstance(error, str):
            text = error
        elif isinstance(message, str):  # 2.x and InfluxDB 3 Cloud
            text = message
    return text[:_MAX_MESSAGE] if len(text) > _MAX_MESSAGE else text


def _json_object(body: bytes) -> dict[str, object]:
    try:
        payload = json.loads(body)
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def rejected_lines(message: str) -> tuple[str, ...]:
    """The lines a write error message names as unparsable, in order."""
    return tuple(match.group(1) for match in _UNPARSABLE.finditer(message))


def dropped_count(message: str) -> int | None:
    """The server's ``dropped=N`` at the end of a partial-write message, if any."""
    match = _DROPPED.search(message)
    return int(match.group(1)) if match else None


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """A ``Retry-After`` header (delay seconds or an HTTP date) as seconds from ``now``.

    None when absent or unreadable; never negative.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def error_for_status(
    request: Request, status: int, body: bytes, headers: Mapping[str, str] | None = None
) -> ServerError | None:
    """The exception a response with ``status`` and ``body`` means, or None for success.

    The server's message is scrubbed of the request's secrets (passwords in its statement).
    """
    if 200 <= status < 300:
        return None
    message = server_message(body, (headers or {}).get("Content-Type")) or f"HTTP {status}"
    message = scrub_server_message(message, request.secrets)
    if status in (401, 403):
        return AuthenticationError(
            f"{request.path}: the server refused the credentials ({status}): {message}",
            status=status,
            server_message=message,
        )
    if status in (429, 503):
        retry_after = retry_after_seconds((headers or {}).get("Retry-After"))
        return ThrottledError(
            f"{request.path}: the server is throttling requests ({status}): {message}",
            status=status,
            server_message=message,
            retry_after=retry_after,
        )
    if request.endpoint is Endpoint.WRITE:
        error = _v3_write_error(request, status, message, _json_object(body))
        if error is None:
            error = _write_error(request, status, message)
        if error is not None:
            return error
    # InfluxDB 3 refusing the Accept header (a 500): a fault of the request, not retried.
    refused_accept = request.endpoint is Endpoint.QUERY and "invalid mime type" in message
    if status >= 500 and not refused_accept:
        kind = ServerTimeoutError if message == "timeout" else InternalServerError
        what = f"write of {request.points} point(s)" if request.points else request.path
        return kind(f"{what} failed ({status}): {message}", status=status, server_message=message)
    if request.endpoint is Endpoint.QUERY:
        statement = request.statement or ""
        return QueryError(
            f"query failed ({status}): {message}; {describe_statement(statement)}",
            status=status,
            server_message=message,
            statement=statement,
        )
    return ServerError(
        f"{request.path} failed ({status}): {message}", status=status, server_message=message
    )


def _write_error(request: Request, status: int, message: str) -> WriteError | None:
    points = request.points
    summary = f"write of {points} point(s) refused ({status}): {message}"
    if "retention policy not found" in message:
        return RetentionPolicyNotFoundError(
            summary, status=status, server_message=message, points=points
        )
    if status == 404 and (message.startswith(("database not found", "no dbrp mapping"))):
        return DatabaseNotFoundError(summary, status=status, server_message=message, points=points)
    if status == 413:
        return RequestTooLargeError(summary, status=status, server_message=message, points=points)
    partial_at = message.find(_PARTIAL)
    if status != 400 and not (status == 422 and partial_at >= 0):  # 2.x: 422 partial write
        return None
    lines = rejected_lines(message)
    dropped = dropped_count(message)
    if partial_at >= 0:
        reason = message[partial_at + len(_PARTIAL) :]
        if dropped is None and (found := _ANY_DROPPED.search(reason)):
            dropped = int(found.group(1))  # 2.x goes on: "dropped=N for database: ..."
            reason = reason[: found.start()]
        elif dropped is not None:
            reason = _DROPPED.sub("", reason)
        kind = (
            PartialFieldTypeConflictError
            if reason.startswith("field type conflict")
            else PartialWriteError
        )
        error = kind(
            f"partial write of {points} point(s): the server refused "
            f"{len(lines) or dropped} and wrote the others ({status}): {message}",
            rejected_lines=lines,
            dropped=dropped,
            reason=reason,
            status=status,
            server_message=message,
            points=points,
        )
        if error.refused_all:
            error.args = (
                f"write of {points} point(s) refused, nothing written: the server dropped "
                f"every point ({status}): {message}",
            )
        return error
    if message.startswith("field type conflict"):
        return FieldTypeConflictError(
            f"write of {points} point(s) refused, nothing written ({status}): {message}",
            dropped=points,
            status=status,
            server_message=message,
            points=points,
        )
    if lines:
        return LineProtocolError(
            f"write of {points} point(s) refused, nothing written ({status}): {message}",
            rejected_lines=lines,
            status=status,
            server_message=message,
            points=points,
        )
    return WriteError(
        summary,
        status=status,
        server_message=message,
        points=points,
        rejected_lines=lines,
        dropped=dropped,
    )


def _v3_write_error(
    request: Request, status: int, message: str, payload: dict[str, object]
) -> WriteError | None:
    """InfluxDB 3's refused lines: Core/Enterprise list them in ``data``, the Cloud
    products number them in ``line`` and the message. None for any other body."""
    points = request.points
    data = payload.get("data")
    if message == _V3_PARTIAL and isinstance(data, list):
        entries = [entry for entry in data if isinstance(entry, dict)]
        lines = tuple(str(entry.get("original_line", "")) for entry in entries)
        reason = "; ".join(
            f"line {entry.get('line_number')}: {entry.get('error_message')}" for entry in entries
        )
        error = PartialWriteError(
            f"partial write of {points} point(s): the server refused {len(lines)} and wrote "
            f"the others ({status}): {message}: {reason}",
            status=status,
            server_message=f"{message}: {reason}",
            points=points,
            rejected_lines=lines,
            reason=reason,
        )
        if error.refused_all:
            error.args = (
                f"write of {points} point(s) refused, nothing written ({status}): "
                f"{message}: {reason}",
            )
        return error
    if message == _V3_PARTIAL or not isinstance(payload.get("line"), int):
        return None
    numbers = [int(n) for n in _LINE_NUMBER.findall(message)] or [int(payload["line"])]  # type: ignore[call-overload]
    lines = _lines_numbered(request.lines, numbers)
    error = PartialWriteError(
        f"write of {points} point(s): the server refused {len(numbers)} line(s) ({status}); "
        f"the others were written only if the server accepts partial writes: {message}",
        status=status,
        server_message=message,
        points=points,
        rejected_lines=lines,
        reason=message,
    )
    if not error.refused_all:
        error.written = None  # the whole batch is refused unless partial writes are on
    return error


def _lines_numbered(body: bytes, numbers: list[int]) -> tuple[str, ...]:
    """The lines of ``body`` with these 1-based numbers, as the server counts lines."""
    wanted = set(numbers)
    found: dict[int, str] = {}
    for number, (start, end) in enumerate(line_spans(body), 1):
        if number in wanted:
            found[number] = body[start:end].decode("utf-8", errors="replace")
    return tuple(found.get(number, f"<line {number}>") for number in numbers)


async def raise_for_response(request: Request, response: Response) -> None:
    """Raise what ``response`` means if it is an error (reading and closing its body)."""
    if 200 <= response.status < 300:
        return
    body = await response.read()
    error = error_for_status(request, response.status, body, response.headers)
    if error is not None:
        raise error
