"""The aiohttp transport: the only module that imports aiohttp."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from typing import Final

import aiohttp

from influxorm.exceptions import SessionStateError, TLSError, TransportError, TransportTimeoutError
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
            raise _transport_error(f"{request.method} {request.path}", exc, self._url) from exc
        return Response(
            response.status, response.headers, _AiohttpStream(response, request, self._url)
        )

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
    def __init__(self, response: aiohttp.ClientResponse, request: Request, url: str) -> None:
        self._response = response
        self._request = request
        self._url = url

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except _NETWORK_ERRORS as exc:
            self._response.close()
            raise _transport_error(
                f"{self._request.method} {self._request.path}: reading the response",
                exc,
                self._url,
            ) from exc

    async def aclose(self) -> None:
        if self._response.content.at_eof():
            self._response.release()
        else:
            self._response.close()


def _transport_error(what: str, exc: BaseException, url: str) -> TransportError:
    if isinstance(exc, TimeoutError):
        return TransportTimeoutError(f"{what}: {_describe(exc)}")
    tls = _find_ssl_error(exc)
    if tls is not None:
        return TLSError(f"{what}: {_describe_tls(tls, url)}")
    return TransportError(f"{what}: {_describe(exc)}")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"timed out ({type(exc).__name__})"
    return str(exc) or type(exc).__name__


def _find_ssl_error(exc: BaseException) -> ssl.SSLError | None:
    """The ``ssl.SSLError`` behind ``exc``: aiohttp wraps it (``os_error``, a cause, or a
    ``ClientOSError`` copying its arguments with the original as the cause)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        # aiohttp's ClientConnectorSSLError is an ssl.SSLError only by inheritance,
        # without OpenSSL's details: look further for the original.
        if isinstance(current, ssl.SSLError) and not isinstance(current, aiohttp.ClientError):
            return current
        pending.extend((current.__context__, current.__cause__))
        nested = getattr(current, "os_error", None)
        if isinstance(nested, BaseException):
            pending.append(nested)
    return None


_YOUR_CERTIFICATE: Final = "the server refused the client certificate (ssl_cert)"

# What the server's TLS alerts mean for a client, by OpenSSL's reason code.
_TLS_REASONS: Final = {
    "TLSV13_ALERT_CERTIFICATE_REQUIRED": (
        "the server requires a client certificate and none was sent: give ssl_cert= (and ssl_key=)"
    ),
    "SSLV3_ALERT_HANDSHAKE_FAILURE": (
        "the server refused the TLS handshake: it may require a client certificate "
        "(give ssl_cert= and ssl_key=), or accept none of the TLS versions and ciphers offered"
    ),
    "TLSV1_ALERT_UNKNOWN_CA": (
        "the server does not trust the client certificate (ssl_cert): it was not issued "
        "by a CA the server accepts"
    ),
    "SSLV3_ALERT_BAD_CERTIFICATE": _YOUR_CERTIFICATE,
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN": _YOUR_CERTIFICATE,
    "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE": _YOUR_CERTIFICATE,
    "TLSV1_ALERT_ACCESS_DENIED": _YOUR_CERTIFICATE,
    "SSLV3_ALERT_CERTIFICATE_EXPIRED": _YOUR_CERTIFICATE + ": it has expired",
    "SSLV3_ALERT_CERTIFICATE_REVOKED": _YOUR_CERTIFICATE + ": it has been revoked",
    "WRONG_VERSION_NUMBER": (
        "the server did not answer in TLS (use an http:// URL if it serves plain HTTP)"
    ),
}


def _describe_tls(exc: ssl.SSLError, url: str) -> str:
    """What a TLS failure means, in words, then OpenSSL's own (for searching)."""
    origin = url.split("://", 1)[-1].split("/", 1)[0]
    reason = exc.reason or ""
    if isinstance(exc, ssl.SSLCertVerificationError):
        problem = exc.verify_message or "certificate verify failed"
        meaning = (
            f"the server's certificate failed verification ({problem}): trust its CA with "
            "ssl_ca=, or turn verification off with verify_ssl=False (test servers only)"
        )
    else:
        meaning = _TLS_REASONS.get(reason, "the TLS connection failed")
    openssl = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
    openssl = openssl.split(" (_ssl.c:", 1)[0]
    return f"TLS with {origin}: {meaning} (OpenSSL: {openssl})"
