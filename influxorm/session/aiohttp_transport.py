"""The aiohttp transport: the only module that imports aiohttp."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator

import aiohttp

from influxorm.exceptions import TransportError, TransportTimeoutError
from influxorm.session.errors import SessionStateError
from influxorm.session.messages import Request, Response

__all__ = ["AiohttpTransport"]

# Network failures: aiohttp's own errors, plus timeouts and OS errors it lets through.
_NETWORK_ERRORS = (aiohttp.ClientError, TimeoutError, OSError)


class AiohttpTransport:
    """Sends requests over TCP (``url``) or a unix socket (``unix_socket``) with aiohttp.

    The aiohttp ``ClientSession`` is created on first use, inside the running event loop,
    and the transport stays bound to that loop. Connections are pooled (up to
    ``max_connections``) and kept alive between requests. ``connect_timeout`` bounds
    connecting, ``read_timeout`` each wait for data from the server (not a whole
    streamed response); None waits forever. ``ssl`` is the TLS context of ``https`` URLs.
    """

    def __init__(
        self,
        url: str,
        *,
        unix_socket: str | None = None,
        timeout: float | None = 60.0,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        ssl_context: ssl.SSLContext | None = None,
        max_connections: int = 100,
    ) -> None:
        self._url = url.rstrip("/")
        self._unix_socket = unix_socket
        self._connect_timeout = connect_timeout if connect_timeout is not None else timeout
        self._read_timeout = read_timeout if read_timeout is not None else timeout
        self._ssl = ssl_context
        self._max_connections = max_connections
        self._client: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    def __repr__(self) -> str:
        where = f"unix:{self._unix_socket}" if self._unix_socket else self._url
        return f"<AiohttpTransport {where}>"

    async def request(self, request: Request) -> Response:
        """Send ``request`` and return once the status and headers have arrived."""
        client = self._client_for_running_loop()
        try:
            response = await client.request(
                request.method,
                self._url + request.path,
                params=list(request.params),
                headers=list(request.headers),
                data=request.body if request.method == "POST" else None,
            )
        except _NETWORK_ERRORS as exc:
            raise _transport_error(f"{request.method} {request.path}", exc) from exc
        return Response(response.status, response.headers, _AiohttpStream(response, request))

    async def aclose(self) -> None:
        """Close the connection pool."""
        self._closed = True
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    def _client_for_running_loop(self) -> aiohttp.ClientSession:
        if self._closed:
            raise SessionStateError("the session is closed")
        loop = asyncio.get_running_loop()
        if self._client is None:
            connector: aiohttp.BaseConnector
            if self._unix_socket is not None:
                connector = aiohttp.UnixConnector(self._unix_socket, limit=self._max_connections)
            else:
                connector = aiohttp.TCPConnector(
                    limit=self._max_connections,
                    ssl=self._ssl if self._ssl is not None else True,
                )
            self._client = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(
                    total=None, sock_connect=self._connect_timeout, sock_read=self._read_timeout
                ),
                # Identity responses: decompressing big query results costs more than
                # the bytes saved on the usual fast links to the server.
                headers={"Accept-Encoding": "identity"},
                auto_decompress=True,
            )
            self._loop = loop
        elif loop is not self._loop:
            raise SessionStateError(
                "this session was first used in another event loop; an AsyncSession "
                "belongs to one loop (use the blocking Session across threads)"
            )
        return self._client


class _AiohttpStream:
    def __init__(self, response: aiohttp.ClientResponse, request: Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except _NETWORK_ERRORS as exc:
            self._response.close()
            raise _transport_error(
                f"{self._request.method} {self._request.path}: reading the response", exc
            ) from exc

    async def aclose(self) -> None:
        if self._response.content.at_eof():
            self._response.release()
        else:
            self._response.close()


def _transport_error(what: str, exc: BaseException) -> TransportError:
    if isinstance(exc, TimeoutError):
        return TransportTimeoutError(f"{what}: {_describe(exc)}")
    return TransportError(f"{what}: {_describe(exc)}")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"timed out ({type(exc).__name__})"
    return str(exc) or type(exc).__name__
