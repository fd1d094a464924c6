"""Query responses: decoding JSON, and finding the errors the server reports inside them.

InfluxDB answers a failed statement with HTTP 200 and ``results[i].error``; a chunked
response may end with a top-level ``{"error": ...}`` after many good chunks. Every decoded
answer (JSON or msgpack) goes through :func:`check_query_result`.

``"partial": true`` means different things (influxd 1.x, ``services/httpd/handler.go``
``serveQuery``, verified on 1.6.7):

* chunked responses: the series (or statement) continues in the next chunk. Not an error.
* plain responses: influxd still reads every statement in internal chunks of
  :data:`SERVER_CHUNK_SIZE` points per series and merges them, and the merged series
  keeps the ``partial`` mark of its first chunk: a complete series of more than 10,000
  points says ``partial``. Not an error.
* plain responses cut by ``[http] max-row-limit`` (0, unlimited, by default): the series
  the limit cut is marked ``partial``; every later series and statement is left out.
  The cut series has at most :data:`SERVER_CHUNK_SIZE` points, or the statement result
  is marked ``partial`` too, except in one case the server leaves unmarked: a limit above
  10,000 cutting the last internal chunk of a longer series. Chunked queries are never
  cut, which is why ``fetch()``, ``iterate()`` and DataFrame queries stream.
"""

from __future__ import annotations

import json
from typing import Any

from influxorm.exceptions import QueryError

__all__ = [
    "SERVER_CHUNK_SIZE",
    "check_query_result",
    "decode_query_body",
    "describe_statement",
    "may_hold_error",
]

_STATEMENT_PREVIEW = 300

#: Points per series in the chunks influxd 1.x cuts every statement's result into, also
#: for a plain (unchunked) query, whose chunks it merges (``DefaultChunkSize``).
SERVER_CHUNK_SIZE = 10_000


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

    ``payload`` is one decoded response, or one chunk when ``chunked``. A plain response
    cut short by the server's ``max-row-limit`` is an error too; ``partial`` marks that
    only say the server merged its internal chunks, or that a chunked response continues
    in the next chunk, are not (see the module docstring).
    """
    if not isinstance(payload, dict):
        raise _error(f"unexpected answer {payload!r:.100}", statement)
    if isinstance(payload.get("error"), str):
        raise _error(payload["error"], statement)
    for index, result in enumerate(payload.get("results", ())):
        # msgpack answers leave statement_id out of an error result; in a plain answer
        # results[i] is statement #i.
        statement_id = result.get("statement_id", None if chunked else index)
        if "error" in result:
            raise _error(str(result["error"]), statement, statement_id=statement_id)
        if not chunked:
            _check_not_truncated(result, statement, statement_id)


def _check_not_truncated(result: Any, statement: str, statement_id: object) -> None:
    series_list = result.get("series") or ()
    cut = next(
        (
            series
            for series in series_list
            if series.get("partial") and len(series.get("values") or ()) <= SERVER_CHUNK_SIZE
        ),
        None,
    )
    if cut is None and result.get("partial"):
        cut = series_list[-1] if series_list else {}
    if cut is None:
        return
    where = "the statement's result"
    if cut:
        tags = cut.get("tags")
        where = f"series {cut.get('name')!r}" + (f" (tags {dict(tags)!r})" if tags else "")
        where += f" stops after {len(cut.get('values') or ())} rows"
    raise _error(
        f"the answer was truncated by the server's [http] max-row-limit: {where}, and any "
        "later series and statements are left out; use a chunked query (chunked=True; "
        "fetch(), iterate() and DataFrame queries already are), which the limit does not "
        "apply to",
        statement,
        statement_id=statement_id,
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
