"""Classification of server responses into influxorm exceptions: the one place it happens."""

from __future__ import annotations

import json

from influxorm.exceptions import (
    AuthenticationError,
    InfluxORMError,
    QueryError,
    ServerError,
    WriteError,
)
from influxorm.results.json import describe_statement
from influxorm.session.messages import Endpoint, Request, Response

__all__ = ["SessionStateError", "error_for_status", "raise_for_response", "server_message"]

_MAX_MESSAGE = 2000


class SessionStateError(InfluxORMError, RuntimeError):
    """A session used where it cannot be: closed, on another event loop, or a blocking
    call made from the session's own loop thread."""


def server_message(body: bytes) -> str:
    """The server's error text: the ``error`` member of a JSON body, else the text."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        payload = json.loads(text)
    except ValueError:
        payload = None
    if isinstance(payload, dict) and isinstance(payload.get("error"), str):
        text = payload["error"]
    return text[:_MAX_MESSAGE] if len(text) > _MAX_MESSAGE else text


def error_for_status(request: Request, status: int, body: bytes) -> ServerError | None:
    """The exception a response with ``status`` and ``body`` means, or None for success."""
    if 200 <= status < 300:
        return None
    message = server_message(body) or f"HTTP {status}"
    if status in (401, 403):
        return AuthenticationError(
            f"{request.path}: the server refused the credentials ({status}): {message}",
            status=status,
            server_message=message,
        )
    if request.endpoint is Endpoint.WRITE:
        return WriteError(
            f"write of {request.points} point(s) refused ({status}): {message}",
            status=status,
            server_message=message,
        )
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


async def raise_for_response(request: Request, response: Response) -> None:
    """Raise what ``response`` means if it is an error (reading and closing its body)."""
    if 200 <= response.status < 300:
        return
    body = await response.read()
    error = error_for_status(request, response.status, body)
    if error is not None:
        raise error
