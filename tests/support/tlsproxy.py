"""A TLS-terminating proxy that requires a client certificate, in front of a plain influxd.

influxd 1.x serves HTTPS but cannot ask clients for a certificate; deployments that want
mutual TLS put nginx, HAProxy or Envoy in front of it. :class:`TLSProxy` is that proxy for
tests: real sockets, a real TLS handshake with ``ssl.CERT_REQUIRED`` against a throwaway
test CA, and the decrypted bytes relayed both ways, unchanged, to influxd's HTTP port.

:func:`make_ca` and :func:`issue` make the throwaway PKI with the ``openssl`` command line
(as ``tests/integration/test_sessions_tls.py`` does; no extra Python dependency). EC P-256
keys keep generation to a few milliseconds.

Like :class:`~support.faultproxy.FaultProxy` it runs its own event loop on a thread, so
blocking and async clients can both use it. Every handshake the proxy refuses is recorded
in :attr:`TLSProxy.refused` (the reason OpenSSL gave), every accepted one in
:attr:`TLSProxy.accepted` (the client certificate's subject common name).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import ssl
import subprocess
from pathlib import Path
from typing import cast

import attrs

from support.loopserver import LoopServer

__all__ = ["CertificateAuthority", "KeyPair", "TLSProxy", "issue", "make_ca", "openssl_available"]

_DAYS = "2"
_NEW_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]


@attrs.frozen
class KeyPair:
    """A certificate and its private key, as PEM files."""

    cert: Path
    key: Path


@attrs.frozen
class CertificateAuthority(KeyPair):
    """A self-signed CA that can :func:`issue` certificates."""

    name: str


def openssl_available() -> bool:
    """Whether the ``openssl`` command line is on PATH."""
    return shutil.which("openssl") is not None


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=cwd)


def make_ca(folder: Path, name: str) -> CertificateAuthority:
    """A new CA named ``name`` (its files ``<name>.pem``/``<name>.key`` in ``folder``)."""
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    _openssl(
        "req", "-x509", *_NEW_KEY, "-nodes", "-days", _DAYS, "-subj", f"/CN={name}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout", str(key), "-out", str(cert),
        cwd=folder,
    )  # fmt: skip
    return CertificateAuthority(cert=cert, key=key, name=name)


def issue(
    ca: CertificateAuthority,
    folder: Path,
    name: str,
    *,
    server: bool = False,
    passphrase: str | None = None,
) -> KeyPair:
    """A certificate for ``name`` signed by ``ca``: a server certificate for 127.0.0.1
    (``server=True``) or a client certificate; the key encrypted with ``passphrase``."""
    cert, key, csr = folder / f"{name}.pem", folder / f"{name}.key", folder / f"{name}.csr"
    protect = ["-passout", f"pass:{passphrase}"] if passphrase is not None else ["-nodes"]
    _openssl(
        "req", "-new", *_NEW_KEY, *protect, "-subj", f"/CN={name}",
        "-keyout", str(key), "-out", str(csr),
        cwd=folder,
    )  # fmt: skip
    usage = "serverAuth" if server else "clientAuth"
    extensions = folder / f"{name}.ext"
    extensions.write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        f"extendedKeyUsage={usage}\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid\n" + ("subjectAltName=IP:127.0.0.1\n" if server else "")
    )
    _openssl(
        "x509", "-req", "-in", str(csr), "-CA", str(ca.cert), "-CAkey", str(ca.key),
        "-set_serial", str(abs(hash((ca.name, name))) + 1), "-days", _DAYS,
        "-extfile", str(extensions), "-out", str(cert),
        cwd=folder,
    )  # fmt: skip
    return KeyPair(cert=cert, key=key)


class TLSProxy(LoopServer):
    """A mutual-TLS proxy on 127.0.0.1 in front of ``upstream_host:upstream_port``.

    It presents ``server`` (a :class:`KeyPair` for 127.0.0.1) and requires a client
    certificate signed by ``client_ca``. ``max_version`` caps the TLS version (with TLS
    1.2 a missing client certificate fails the handshake itself; with 1.3 the client has
    already finished its side and learns of the refusal on its first read).

    It listens in plain TCP and starts TLS in the handler: a refused handshake then
    raises in this code (and is recorded) instead of going to the loop's error log.
    """

    thread_name = "tlsproxy"

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        *,
        server: KeyPair,
        client_ca: Path,
        max_version: ssl.TLSVersion = ssl.TLSVersion.MAXIMUM_SUPPORTED,
    ) -> None:
        super().__init__()
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(client_ca))
        context.verify_mode = ssl.CERT_REQUIRED
        context.maximum_version = max_version
        context.load_cert_chain(str(server.cert), str(server.key))
        self.context = context
        self.accepted: list[str] = []
        self.refused: list[str] = []

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = self.context.wrap_bio(incoming, outgoing, server_side=True)
        channel = _Channel(tls, incoming, outgoing, reader, writer)
        try:
            try:
                await channel.handshake()
            except ssl.SSLError as exc:
                self.refused.append(exc.reason or str(exc))
                await channel.flush()  # the alert saying why, as a real proxy sends it
                await _lingering_close(reader, writer)
                return
            peer = tls.getpeercert() or {}
            rdns = cast("tuple[tuple[tuple[str, str], ...], ...]", peer.get("subject", ()))
            subject = dict(item for rdn in rdns for item in rdn)
            self.accepted.append(str(subject.get("commonName", "")))
            await self._relay(channel)
        except (ConnectionError, ssl.SSLError):
            return
        finally:
            self._writers.discard(writer)
            writer.transport.abort()

    async def _relay(self, channel: _Channel) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(
                self.upstream_host, self.upstream_port
            )
        except OSError:
            return
        self._writers.add(up_writer)
        try:
            await asyncio.gather(channel.to_plain(up_writer), channel.from_plain(up_reader))
        finally:
            self._writers.discard(up_writer)
            up_writer.transport.abort()


async def _lingering_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Close as web servers do: FIN first, then read until the client closes (at most a
    second). Closing with unread client data would send a reset, which can overtake the
    alert just sent and leave the client with a bare "connection reset"."""
    with contextlib.suppress(OSError):
        writer.write_eof()
        async with asyncio.timeout(1.0):
            while await reader.read(65536):
                pass


class _Channel:
    """The server side of one TLS connection, driven through memory BIOs.

    asyncio's own server-side TLS drops the connection without sending the alert when a
    handshake fails; doing TLS by hand sends it, so a client sees what a real proxy says.
    """

    def __init__(
        self,
        tls: ssl.SSLObject,
        incoming: ssl.MemoryBIO,
        outgoing: ssl.MemoryBIO,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.tls = tls
        self.incoming = incoming
        self.outgoing = outgoing
        self.reader = reader
        self.writer = writer

    async def flush(self) -> None:
        """Send what OpenSSL has queued (handshake records, alerts, encrypted data)."""
        if data := self.outgoing.read():
            self.writer.write(data)
            await self.writer.drain()

    async def _receive(self) -> bool:
        data = await self.reader.read(65536)
        if not data:
            self.incoming.write_eof()
            return False
        self.incoming.write(data)
        return True

    async def handshake(self) -> None:
        while True:
            try:
                self.tls.do_handshake()
            except ssl.SSLWantReadError:
                await self.flush()
                if not await self._receive():
                    raise ConnectionResetError("the client left during the handshake") from None
            else:
                await self.flush()
                return

    async def to_plain(self, sink: asyncio.StreamWriter) -> None:
        """Decrypt what the client sends into ``sink`` until the client is done."""
        while True:
            try:
                data = self.tls.read(65536)
            except ssl.SSLWantReadError:
                await self.flush()  # e.g. a TLS 1.3 key update answer
                if not await self._receive():
                    break
                continue
            except ssl.SSLZeroReturnError:  # close_notify
                break
            sink.write(data)
            await sink.drain()
        if sink.can_write_eof():
            sink.write_eof()

    async def from_plain(self, source: asyncio.StreamReader) -> None:
        """Encrypt what ``source`` sends to the client; close_notify at its end."""
        while chunk := await source.read(65536):
            self.tls.write(chunk)
            await self.flush()
        with contextlib.suppress(ssl.SSLError):  # no answer to our close_notify yet
            self.tls.unwrap()
        await self.flush()
        self.writer.close()
