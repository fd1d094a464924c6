"""A fault-injecting HTTP proxy for tests: real sockets between a client and a real influxd.

The proxy reads each HTTP/1.1 request the client sends, then, as its fault plan says,
forwards it to the upstream server or does something a flaky network or an overloaded
server would do instead:

* ``Fault.PASS``: forward the request and relay the response;
* ``Fault.RESET_BEFORE``: drop the connection without forwarding (nothing reached the server);
* ``Fault.RESET_AFTER``: forward, let the server finish, then drop the connection instead of
  relaying the answer (the write WAS stored: the client cannot know);
``delay_seconds`` holds every forwarded request that long first (a slow server).

* ``Fault.STALL``: hold the request for ``stall_seconds`` without answering, then drop it;
* ``Fault.STATUS_503`` / ``STATUS_429`` / ``STATUS_413`` / ``STATUS_500_TIMEOUT``: answer
  with that status and the body the real server would send, without forwarding.

Every request is recorded (``recorded``: method, target with its query string, headers,
body), as the client sent it. ``prefix`` makes the proxy serve under a path prefix (a
gateway at ``/influx``): the prefix is stripped before forwarding, and a request outside it
gets a 404, so a client that drops the prefix fails. ``responder`` may answer a request
itself (return ``(status, headers, body)``), e.g. a ``/ping`` as another server generation
sends it; None forwards it.

It runs its own event loop on a thread, so blocking and async clients can both use it.
Each forwarded request uses a fresh upstream connection with ``Connection: close`` and the
answer is relayed as it arrives (chunked query responses stream through).
"""

from __future__ import annotations

import asyncio
import enum
import random
import threading
from collections import Counter
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from support.loopserver import LoopServer, abort

__all__ = ["Answer", "Fault", "FaultProxy", "Recorded", "RequestInfo", "Responder"]


class Fault(enum.Enum):
    PASS = "pass"
    RESET_BEFORE = "reset_before"
    RESET_AFTER = "reset_after"
    STALL = "stall"
    STATUS_503 = "503"
    STATUS_429 = "429"
    STATUS_413 = "413"
    STATUS_500_TIMEOUT = "500_timeout"


_CANNED: dict[Fault, tuple[bytes, bytes, bytes]] = {
    # status line, content type, body: as influxd 1.6 answers them
    Fault.STATUS_503: (
        b"503 Service Unavailable",
        b"text/plain",
        b"request throttled, queue full\n",
    ),
    Fault.STATUS_429: (
        b"429 Too Many Requests",
        b"application/json",
        b'{"error":"too many requests"}\n',
    ),
    Fault.STATUS_413: (
        b"413 Request Entity Too Large",
        b"application/json",
        b'{"error":"Request Entity Too Large"}\n',
    ),
    Fault.STATUS_500_TIMEOUT: (
        b"500 Internal Server Error",
        b"application/json",
        b'{"error":"timeout"}\n',
    ),
}


class RequestInfo:
    """What the fault plan is told about each request."""

    __slots__ = ("body_size", "index", "method", "path")

    def __init__(self, index: int, method: str, path: str, body_size: int) -> None:
        self.index = index
        self.method = method
        self.path = path
        self.body_size = body_size

    def __repr__(self) -> str:
        return f"RequestInfo({self.index}, {self.method} {self.path}, {self.body_size} bytes)"


FaultPlan = Callable[[RequestInfo], Fault]


class Recorded:
    """A request as the client sent it (before the prefix is stripped)."""

    __slots__ = ("body", "headers", "method", "path", "target")

    def __init__(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        self.method = method
        self.target = target
        self.path = target.split("?", 1)[0]
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def params(self) -> dict[str, list[str]]:
        """The query-string parameters, and those of a form body."""
        found = parse_qs(urlsplit(self.target).query, keep_blank_values=True)
        if self.header("Content-Type") == "application/x-www-form-urlencoded":
            for key, values in parse_qs(self.body.decode(), keep_blank_values=True).items():
                found.setdefault(key, []).extend(values)
        return found

    def __repr__(self) -> str:
        return f"Recorded({self.method} {self.target[:80]})"


Answer = tuple[int, list[tuple[str, str]], bytes]
Responder = Callable[[Recorded], Answer | None]


def random_plan(
    seed: int,
    rates: dict[Fault, float],
    *,
    only_path: str | None = "/write",
    pass_first: int = 0,
) -> FaultPlan:
    """A reproducible plan: each matching request gets a fault with the given probabilities.

    ``pass_first`` requests pass untouched, so a run always makes some progress first.
    """
    rng = random.Random(seed)
    faults = list(rates)
    weights = [rates[f] for f in faults]
    passing = max(0.0, 1.0 - sum(weights))

    def plan(req: RequestInfo) -> Fault:
        if req.index < pass_first:
            return Fault.PASS
        if only_path is not None and not req.path.startswith(only_path):
            return Fault.PASS
        return rng.choices([*faults, Fault.PASS], weights=[*weights, passing])[0]

    return plan


class FaultProxy(LoopServer):
    """A proxy on 127.0.0.1 in front of ``upstream_host:upstream_port`` (a context manager)."""

    thread_name = "faultproxy"

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        plan: FaultPlan | None = None,
        *,
        stall_seconds: float = 2.0,
        delay_seconds: float = 0.0,
        prefix: str = "",
        responder: Responder | None = None,
    ) -> None:
        super().__init__()
        self.prefix = prefix.rstrip("/")
        self.responder = responder
        self.recorded: list[Recorded] = []
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self.plan: FaultPlan = plan or (lambda _req: Fault.PASS)
        self.stall_seconds = stall_seconds
        self.delay_seconds = delay_seconds
        self.counts: Counter[Fault] = Counter()
        self._requests = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> int:
        return self._requests

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                head, body, method, path = request
                record = _record(head, body)
                self.recorded.append(record)
                if self.prefix:
                    if not path.startswith(self.prefix + "/"):
                        await _answer(writer, (404, [], b"404 page not found\n"))
                        return
                    path = path[len(self.prefix) :]
                    head = _strip_prefix(head, self.prefix)
                answer = self.responder(record) if self.responder else None
                if answer is not None:
                    await _answer(writer, answer)
                    return
                with self._lock:
                    info = RequestInfo(self._requests, method, path, len(body))
                    self._requests += 1
                fault = self.plan(info)
                self.counts[fault] += 1
                if fault is Fault.RESET_BEFORE:
                    abort(writer)
                    return
                if fault is Fault.STALL:
                    await asyncio.sleep(self.stall_seconds)
                    return
                if fault in _CANNED:
                    status, ctype, payload = _CANNED[fault]
                    writer.write(
                        b"HTTP/1.1 "
                        + status
                        + b"\r\nContent-Type: "
                        + ctype
                        + b"\r\nContent-Length: "
                        + str(len(payload)).encode()
                        + b"\r\nConnection: close\r\n\r\n"
                        + payload
                    )
                    await writer.drain()
                    writer.close()
                    await writer.wait_closed()
                    return
                if self.delay_seconds:
                    await asyncio.sleep(self.delay_seconds)  # a slow server
                await self._forward(head, body, writer, relay=fault is Fault.PASS)
                return  # upstream answered with Connection: close; so do we
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return
        finally:
            self._writers.discard(writer)
            abort(writer)

    async def _forward(
        self, head: bytes, body: bytes, writer: asyncio.StreamWriter, *, relay: bool
    ) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(
                self.upstream_host, self.upstream_port
            )
        except OSError:
            return  # upstream down (e.g. restarting): the client sees a reset
        self._writers.add(up_writer)
        try:
            up_writer.write(_force_close(head) + body)
            await up_writer.drain()
            while chunk := await up_reader.read(65536):
                if relay:
                    writer.write(chunk)
                    await writer.drain()
            if relay:
                writer.close()
                await writer.wait_closed()
        finally:
            self._writers.discard(up_writer)
            abort(up_writer)


def _record(head: bytes, body: bytes) -> Recorded:
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = [
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in lines[1:] if ":" in line)
    ]
    return Recorded(method, target, headers, body)


def _strip_prefix(head: bytes, prefix: str) -> bytes:
    first, rest = head.split(b"\r\n", 1)
    method, target, version = first.split(b" ", 2)
    return b" ".join([method, target[len(prefix) :], version]) + b"\r\n" + rest


_REASONS = {
    200: b"OK",
    204: b"No Content",
    400: b"Bad Request",
    401: b"Unauthorized",
    404: b"Not Found",
    406: b"Not Acceptable",
    422: b"Unprocessable Entity",
    500: b"Internal Server Error",
}


async def _answer(writer: asyncio.StreamWriter, answer: Answer) -> None:
    status, headers, payload = answer
    head = [b"HTTP/1.1 " + str(status).encode() + b" " + _REASONS.get(status, b"Status")]
    head += [f"{key}: {value}".encode() for key, value in headers]
    head += [b"Content-Length: " + str(len(payload)).encode(), b"Connection: close"]
    writer.write(b"\r\n".join(head) + b"\r\n\r\n" + payload)
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def _read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes, str, str] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.split(b"\r\n")
    method, target, _version = lines[0].decode("latin-1").split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if b":" in line:
            key, value = line.split(b":", 1)
            headers[key.strip().lower()] = value.strip()
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = await _read_chunked(reader)
        head = _dechunk_head(head, len(body))
    else:
        body = await reader.readexactly(int(headers.get(b"content-length", b"0")))
    return head, body, method, target.split("?", 1)[0]


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


def _dechunk_head(head: bytes, length: int) -> bytes:
    lines = [
        line
        for line in head.split(b"\r\n")
        if line and not line.lower().startswith(b"transfer-encoding:")
    ]
    lines.append(b"Content-Length: " + str(length).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _force_close(head: bytes) -> bytes:
    lines = [
        line for line in head.split(b"\r\n") if line and not line.lower().startswith(b"connection:")
    ]
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n"
