"""TLS against a real influxd with ``https-enabled`` and a self-signed certificate."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from influxorm.exceptions import TransportError
from influxorm.session import AsyncSession, Session
from influxorm.testing import InfluxDBServer


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    pem = folder / "server.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(folder / "server.key"), "-out", str(pem),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    pem.write_bytes(pem.read_bytes() + (folder / "server.key").read_bytes())
    return pem


@pytest.fixture(scope="module")
def server(certificate: Path) -> Iterator[InfluxDBServer]:
    with InfluxDBServer(tls_certificate=certificate) as own:
        own.execute('CREATE DATABASE "d"')
        yield own


def test_verification_is_on_by_default(server: InfluxDBServer) -> None:
    assert server.url.startswith("https://")
    with (
        Session(server.url, database="d", retry_attempts=1) as session,
        pytest.raises(TransportError, match=r"(?i)certificate"),
    ):
        session.ping()


async def test_a_custom_ca_verifies_the_server(server: InfluxDBServer, certificate: Path) -> None:
    async with AsyncSession(server.url, database="d", ssl_ca=str(certificate)) as session:
        assert await session.write("tls v=1 1") == 1
        result = await session.query('SELECT "v" FROM "tls"')
        assert result["results"][0]["series"][0]["values"] == [[1, 1]]


def test_verification_can_be_turned_off(server: InfluxDBServer) -> None:
    with Session.from_url(f"{server.url}/d?verify_ssl=false&gzip=true") as session:
        assert session.write("tls v=2 2") == 1
