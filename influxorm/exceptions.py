"""Everything influxorm raises derives from :class:`InfluxORMError`.

The hierarchy separates what the caller can act on:

* :class:`ValidationError` -- bad input, raised *before* a single byte is sent.
* :class:`QueryBuildError` -- a query that InfluxQL cannot express, raised when it is built.
* :class:`WriteError` -- the server refused (part of) a write; carries its message, the
  rejected lines and counts. Subclasses say what happened to the data:
  :class:`LineProtocolError` (nothing written), :class:`PartialWriteError` (the rest WAS
  written), :class:`FieldTypeConflictError`, :class:`DatabaseNotFoundError`,
  :class:`RetentionPolicyNotFoundError`, :class:`RequestTooLargeError`.
* :class:`QueryError` -- the server reported an error for a statement, including errors
  that arrive inside an HTTP 200 response.
* :class:`AuthenticationError` -- 401/403.
* :class:`ThrottledError` (429/503) and :class:`InternalServerError` (5xx) -- the server
  could not serve the request; retried by the session's retry policy, raised when that
  gives up.
* :class:`TransportError` -- the request did not complete (refused, reset, timeout); the
  outcome of a write that ends this way is unknown. :class:`TransportTimeoutError` for
  timeouts.
* :class:`UnsupportedByServerError` -- the session's server generation (its profile) has no
  such feature; nothing was sent. The message names the server and what to use instead.
* :class:`NoSessionError` -- a query was run with no session given and none current.
* :class:`ModelDefinitionError` -- a ``Measurement`` subclass is declared wrongly.
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "DatabaseNotFoundError",
    "FieldTypeConflictError",
    "InfluxORMError",
    "InternalServerError",
    "LineProtocolError",
    "ModelDefinitionError",
    "NoSessionError",
    "PartialFieldTypeConflictError",
    "PartialWriteError",
    "QueryBuildError",
    "QueryError",
    "RequestTooLargeError",
    "RetentionPolicyNotFoundError",
    "ServerError",
    "ServerTimeoutError",
    "SessionStateError",
    "TLSError",
    "ThrottledError",
    "TransportError",
    "TransportTimeoutError",
    "UnsentBatchError",
    "UnsupportedByServerError",
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
    """The server refused a write (or part of it); see ``server_message``.

    ``points`` is the number of points the refused request carried; ``rejected_lines``
    the lines the server named as unparsable (from its ``unable to parse '<line>'``
    messages, in order); ``dropped`` the server's ``dropped=N`` count when it gave one.
    ``written`` says whether the points not rejected were stored: True for a partial
    write, False when nothing was, None when unknown.
    """

    #: Whether the other points of the request were stored (see the class docstring).
    written: bool | None = False

    def __init__(
        self,
        message: str,
        *,
        status: int,
        server_message: str,
        points: int = 0,
        rejected_lines: tuple[str, ...] = (),
        dropped: int | None = None,
    ) -> None:
        super().__init__(message, status=status, server_message=server_message)
        self.points = points
        self.rejected_lines = rejected_lines
        self.dropped = dropped


class LineProtocolError(WriteError):
    """The server could not parse the request's line protocol; nothing was written."""


class PartialWriteError(WriteError):
    """Some points were refused and the REST WERE WRITTEN (``partial write: ...``).

    ``dropped`` is the number of points the server dropped (it reports 0 for unparsable
    lines, which it lists in ``rejected_lines`` instead); ``reason`` the server's reason
    (e.g. ``points beyond retention policy``, ``max-series-per-database limit exceeded``).
    Re-sending the batch writes the accepted points again (harmless when timestamped).

    The server says "partial write" even when it refused every point of the request
    (all beyond the retention policy, or a batch crossing the series limit): ``written``
    is then False, as for :meth:`refused_all`.
    """

    written: bool | None = True

    def __init__(
        self,
        message: str,
        *,
        status: int,
        server_message: str,
        points: int = 0,
        rejected_lines: tuple[str, ...] = (),
        dropped: int | None = None,
        reason: str = "",
    ) -> None:
        super().__init__(
            message,
            status=status,
            server_message=server_message,
            points=points,
            rejected_lines=rejected_lines,
            dropped=dropped,
        )
        self.reason = reason
        self.written = not self.refused_all

    @property
    def refused_all(self) -> bool:
        """Whether the server refused every point of the request (nothing was written)."""
        refused = (self.dropped or 0) + len(self.rejected_lines)
        return self.points > 0 and refused >= self.points


class FieldTypeConflictError(WriteError):
    """A field was written with another type than it has (or than earlier in the batch).

    Raised as is when the server dropped the whole batch (a conflict between points of
    one request on a new field); as :class:`PartialFieldTypeConflictError` when only the
    conflicting points were dropped.
    """


class PartialFieldTypeConflictError(PartialWriteError, FieldTypeConflictError):
    """Points conflicting with a field's existing type were dropped; the rest were written."""

    written = True


class DatabaseNotFoundError(WriteError):
    """The write's database does not exist; nothing was written."""


class RetentionPolicyNotFoundError(WriteError):
    """The write's retention policy does not exist; nothing was written."""


class RequestTooLargeError(WriteError):
    """413: the body exceeds the server's ``max-body-size``; nothing was written.

    Sessions split a batch and resend the halves; this is raised only for a single line
    that is too large by itself.
    """


class QueryError(ServerError):
    """The server reported an error for a statement; ``statement`` is its text."""

    def __init__(
        self, message: str, *, status: int, server_message: str, statement: str | None = None
    ) -> None:
        super().__init__(message, status=status, server_message=server_message)
        self.statement = statement


class AuthenticationError(ServerError):
    """The server refused the credentials (401) or the permission (403)."""


class ThrottledError(ServerError):
    """429, or 503 ``request throttled``: the server is overloaded; nothing was done.

    ``retry_after`` is the server's ``Retry-After`` in seconds, when it sent one.
    """

    def __init__(
        self, message: str, *, status: int, server_message: str, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status, server_message=server_message)
        self.retry_after = retry_after


class InternalServerError(ServerError):
    """A 5xx answer other than throttling: the server failed to handle the request."""


class ServerTimeoutError(InternalServerError):
    """``500 {"error":"timeout"}``: the server gave up waiting; a write MAY have been stored."""


class TransportError(InfluxORMError):
    """The request did not complete: connection refused or reset, or a timeout.

    For a write the outcome is unknown: the server may have stored all of it.
    """


class TransportTimeoutError(TransportError):
    """The server did not answer (connect or read) within the session's timeout."""


class TLSError(TransportError):
    """The TLS handshake failed: a certificate was refused (the client's or the server's)
    or the other side does not speak TLS. Nothing was sent, and retrying cannot help."""


class UnsupportedByServerError(InfluxORMError):
    """The server the session talks to cannot do this; nothing was sent.

    ``server`` is the session's server profile (e.g. ``"influxdb3"``), ``feature`` what was
    asked for (e.g. ``"CREATE DATABASE"``) and ``instead`` what that server offers in its
    place (also part of the message).
    """

    def __init__(self, message: str, *, server: str, feature: str, instead: str = "") -> None:
        super().__init__(message)
        self.server = server
        self.feature = feature
        self.instead = instead


class NoSessionError(InfluxORMError):
    """A query needs a session: none was given with ``.using()`` and none is current."""


class ModelDefinitionError(InfluxORMError, TypeError):
    """A ``Measurement`` subclass is declared wrongly; raised when the class is created."""


class SessionStateError(InfluxORMError, RuntimeError):
    """A session used where it cannot be: closed, on another event loop, or a blocking
    call made from the session's own loop thread."""


class UnsentBatchError(InfluxORMError):
    """The error of a bulk writer's failed batch the writer itself could not send: it
    was cancelled while closing, or an exception other than influxorm's was raised while
    encoding or sending the batch (chained as ``__cause__``).

    ``maybe_written`` is True when the batch was in flight: the server may have stored
    it (re-sending timestamped points is harmless); False when it was never sent.
    """

    def __init__(self, message: str, *, maybe_written: bool) -> None:
        super().__init__(message)
        self.maybe_written = maybe_written
