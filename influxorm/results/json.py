"""JSON query responses: decoding, and finding the errors the server reports inside them.

InfluxDB answers a failed statement with HTTP 200 and ``results[i].error``; it marks a
series truncated by ``max-row-limit`` with ``"partial": true``; a chunked response may end
with a top-level ``{"error": ...}`` after many good chunks. Every JSON answer goes through
:func:`check_query_result`.
"""

from __future__ import annotations

import json
from typing import Any

from influxorm.exceptions import QueryError

__all__ = ["check_query_result", "decode_query_body", "describe_statement", "may_hold_error"]

_STATEMENT_PREVIEW = 300


def decode_query_body(body: bytes, statement: str, *, chunked: bool = False) -> Any:
    """Parse one JSON query response (or one chunk) and raise the errors it reports."""
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise QueryError(
            f"the server's answer is not JSON ({exc}); {describe_statement(statement)}",
            status=200,
            server_message=body[:200].decode("utf-8", errors="replace"),
            statement=statement,
        ) from None
    check_query_result(payload, statement, chunked=chunked)
    return payload


def may_hold_error(body: bytes) -> bool:
    """A cheap test: False means ``body`` certainly reports no error and no truncation."""
    return b'"error"' in body or b'"partial"' in body


def check_query_result(payload: Any, statement: str, *, chunked: bool = False) -> None:
    """Raise :class:`QueryError` for an error reported in a parsed query response.

    In a chunked response ``partial`` only says that a series continues in the next
    chunk, so it is an error only when ``chunked`` is False.
    """
    if not isinstance(payload, dict):
        raise _error(f"unexpected answer {payload!r:.100}", statement)
    if isinstance(payload.get("error"), str):
        raise _error(payload["error"], statement)
    for result in payload.get("results", ()):
        if "error" in result:
            raise _error(str(result["error"]), statement, statement_id=result.get("statement_id"))
        if chunked:
            continue
        for series in result.get("series", ()):
            if series.get("partial"):
                raise _error(
                    f"series {series.get('name')!r} was truncated by the server "
                    "(max-row-limit); use a chunked query to read all of it",
                    statement,
                    statement_id=result.get("statement_id"),
                )


def describe_statement(statement: str) -> str:
    """``statement: <text>`` for an error message, shortened if long."""
    text = statement
    if len(text) > _STATEMENT_PREVIEW:
        text = text[:_STATEMENT_PREVIEW] + f"... ({len(statement)} characters)"
    return f"statement: {text!r}"


def _error(message: str, statement: str, *, statement_id: object = None) -> QueryError:
    where = f"statement #{statement_id}: " if statement_id is not None else ""
    return QueryError(
        f"query failed: {where}{message}; {describe_statement(statement)}",
        status=200,
        server_message=message,
        statement=statement,
    )
