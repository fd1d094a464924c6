"""Everything influxorm raises derives from :class:`InfluxORMError`.

The hierarchy separates what the caller can act on:

* :class:`ValidationError` -- bad input, raised *before* a single byte is sent.
* :class:`QueryBuildError` -- a query that InfluxQL cannot express, raised when it is built.
* :class:`WriteError` -- the server refused (part of) a write; carries its message.
* :class:`QueryError` -- the server reported an error for a statement, including errors
  that arrive inside an HTTP 200 response.
* :class:`AuthenticationError` -- 401/403.
* :class:`TransportError` -- the request did not complete (refused, reset, timeout); the
  outcome of a write that ends this way is unknown.
* :class:`NoSessionError` -- a query was run with no session given and none current.
* :class:`ModelDefinitionError` -- a ``Measurement`` subclass is declared wrongly.
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "InfluxORMError",
    "ModelDefinitionError",
    "NoSessionError",
    "QueryBuildError",
    "QueryError",
    "ServerError",
    "TransportError",
    "ValidationError",
    "WriteError",
]


class InfluxORMError(Exception):
    """Base class of every exception influxorm raises."""


class ValidationError(InfluxORMError, ValueError):
    """Input that cannot be written or queried as given; nothing was sent.

    ``model``, ``attribute`` and ``value`` name the offending input where known.
    """

    def __init__(
        self,
        message: str,
        *,
        model: str | None = None,
        attribute: str | None = None,
        value: object = None,
    ) -> None:
        super().__init__(message)
        self.model = model
        self.attribute = attribute
        self.value = value


class QueryBuildError(InfluxORMError, ValueError):
    """A query that cannot be expressed in InfluxQL, detected while it was built."""


class ServerError(InfluxORMError):
    """The server answered with an error.

    ``status`` is the HTTP status (200 for errors reported inside a query result) and
    ``server_message`` the server's own error text.
    """

    def __init__(self, message: str, *, status: int, server_message: str) -> None:
        super().__init__(message)
        self.status = status
        self.server_message = server_message


class WriteError(ServerError):
    """The server refused a write (or part of it); see ``server_message``."""


class QueryError(ServerError):
    """The server reported an error for a statement; ``statement`` is its text."""

    def __init__(
        self, message: str, *, status: int, server_message: str, statement: str | None = None
    ) -> None:
        super().__init__(message, status=status, server_message=server_message)
        self.statement = statement


class AuthenticationError(ServerError):
    """The server refused the credentials (401) or the permission (403)."""


class TransportError(InfluxORMError):
    """The request did not complete: connection refused or reset, or a timeout.

    For a write the outcome is unknown: the server may have stored all of it.
    """


class NoSessionError(InfluxORMError):
    """A query needs a session: none was given with ``.using()`` and none is current."""


class ModelDefinitionError(InfluxORMError, TypeError):
    """A ``Measurement`` subclass is declared wrongly; raised when the class is created."""
