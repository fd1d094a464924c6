"""The request and response values passed between a session and its transport."""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import Literal, Protocol

import attrs

__all__ = ["ByteStream", "Endpoint", "Request", "Response"]


class Endpoint(enum.Enum):
    """Which v1 API a request calls; decides how its error responses are classified."""

    PING = "/ping"
    WRITE = "/write"
    QUERY = "/query"


def _params_repr(params: tuple[tuple[str, str], ...]) -> str:
    shown = [(k, "..." if k in ("q", "params") else v) for k, v in params]
    return repr(tuple(shown))


@attrs.frozen
class Request:
    """One HTTP request to the server, fully built: the transport only sends it.

    ``headers`` may carry credentials, so they never appear in the repr, and neither do
    the statement parameters (``q``, ``params``) nor the body. ``statement`` is the InfluxQL
    text of a query for messages, its passwords redacted, and ``secrets`` the text taken
    out of it (to scrub from what the server answers); ``points`` the number of points a
    write carries and ``lines`` its uncompressed line protocol (``body`` may be gzipped).
    """

    method: Literal["GET", "POST"]
    endpoint: Endpoint
    params: tuple[tuple[str, str], ...] = attrs.field(default=(), repr=_params_repr)
    headers: tuple[tuple[str, str], ...] = attrs.field(default=(), repr=False)
    body: bytes = attrs.field(default=b"", repr=lambda body: f"<{len(body)} bytes>")
    statement: str | None = None
    points: int = 0
    lines: bytes = attrs.field(default=b"", repr=False)
    secrets: tuple[str, ...] = attrs.field(default=(), repr=False)

    @property
    def path(self) -> str:
        """The URL path, e.g. ``/write``."""
        return self.endpoint.value


class ByteStream(Protocol):
    """A response body being received: iterate for the bytes, ``aclose`` to abandon it."""

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


class Response:
    """A response whose status and headers have arrived; the body is read on demand.

    Reading the whole body (:meth:`read`) or iterating to the end releases the
    connection; otherwise call :meth:`aclose`.
    """

    def __init__(self, status: int, headers: Mapping[str, str], stream: ByteStream) -> None:
        self.status = status
        self.headers = headers
        self._stream = stream
        self._closed = False

    def __repr__(self) -> str:
        return f"<Response {self.status}>"

    async def read(self) -> bytes:
        """The whole body; the response is closed afterwards."""
        try:
            return b"".join([chunk async for chunk in self._stream])
        finally:
            await self.aclose()

    async def iter_raw(self) -> AsyncGenerator[bytes, None]:
        """The body as it arrives; the response is closed when iteration ends or is
        abandoned."""
        try:
            async for chunk in self._stream:
                yield chunk
        finally:
            await self.aclose()

    async def iter_lines(self) -> AsyncGenerator[bytes, None]:
        """The body split at LF, without the LF and skipping empty lines.

        Lines may be of any length (a chunked query's chunk can be many megabytes).
        The response is closed when iteration ends or is abandoned.
        """
        parts: list[bytes] = []
        try:
            async for chunk in self._stream:
                parts.append(chunk)
                if b"\n" not in chunk:
                    continue
                *lines, tail = b"".join(parts).split(b"\n")
                parts = [tail] if tail else []
                for line in lines:
                    if line:
                        yield line
            if parts:
                yield b"".join(parts)
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Release the connection, abandoning any unread body."""
        if not self._closed:
            self._closed = True
            await self._stream.aclose()
