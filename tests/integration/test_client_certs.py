"""Client certificates (mutual TLS) end to end: a session -> a TLS proxy requiring a client
certificate (``support.tlsproxy``, as nginx/HAProxy would be deployed) -> a real influxd.

influxd 1.x cannot ask for a client certificate itself, hence the proxy. Both TLS 1.3 (the
refusal reaches the client after its side of the handshake, on its first read) and TLS 1.2
(the handshake itself fails) are exercised for the refusals.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import aiohttp
import attrs
import pytest
from support.tlsproxy import (
    CertificateAuthority,
    KeyPair,
    TLSProxy,
    issue,
    make_ca,
    openssl_available,
)

from influxorm.exceptions import TLSError, TransportError, ValidationError
from influxorm.session import AsyncSession, Session
from influxorm.testing import InfluxDBServer


@attrs.frozen
class PKI:
    ca: CertificateAuthority
    server: KeyPair
    client: KeyPair
    intruder: KeyPair  # a client certificate from a CA the proxy does not trust
    encrypted: KeyPair  # a client certificate whose key has a passphrase
    combined: Path  # the client's certificate and key in one file
    folder: Path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKI:
    if not openssl_available():
        pytest.skip("openssl is needed to make certificates")
    folder = tmp_path_factory.mktemp("mtls")
    ca = make_ca(folder, "test-ca")
    other = make_ca(folder, "other-ca")
    client = issue(ca, folder, "client")
    combined = folder / "client-combined.pem"
    combined.write_bytes(client.cert.read_bytes() + client.key.read_bytes())
    return PKI(
        ca=ca,
        server=issue(ca, folder, "server", server=True),
        client=client,
        intruder=issue(other, folder, "intruder"),
        encrypted=issue(ca, folder, "encrypted", passphrase="s3cret"),
        combined=combined,
        folder=folder,
    )


@pytest.fixture(scope="module")
def proxy(influxdb_server: InfluxDBServer, pki: PKI) -> Iterator[TLSProxy]:
    """The default: TLS 1.3 where the machine has it."""
    with TLSProxy(
        influxdb_server.host, influxdb_server.port, server=pki.server, client_ca=pki.ca.cert
    ) as own:
        yield own


@pytest.fixture(scope="module")
def proxy_tls12(influxdb_server: InfluxDBServer, pki: PKI) -> Iterator[TLSProxy]:
    with TLSProxy(
        influxdb_server.host,
        influxdb_server.port,
        server=pki.server,
        client_ca=pki.ca.cert,
        max_version=ssl.TLSVersion.TLSv1_2,
    ) as own:
        yield own


@pytest.fixture(params=["tls1.3", "tls1.2"])
def any_proxy(request: pytest.FixtureRequest) -> TLSProxy:
    name = "proxy" if request.param == "tls1.3" else "proxy_tls12"
    found: TLSProxy = request.getfixturevalue(name)
    return found


def _client_options(pki: PKI) -> dict[str, str]:
    return {
        "ssl_ca": str(pki.ca.cert),
        "ssl_cert": str(pki.client.cert),
        "ssl_key": str(pki.client.key),
    }


def _stored(server: InfluxDBServer, database: str, measurement: str) -> list[object]:
    """The ``v`` values influxd holds, asked directly (not through the proxy)."""
    result = server.execute(f'SELECT "v" FROM "{measurement}"', database=database)
    series = result["results"][0].get("series", [])
    return [row[1] for row in series[0]["values"]] if series else []


def _assert_plain_transport_error(error: BaseException) -> None:
    """An influxorm TLSError (a TransportError), not a raw ssl/aiohttp one dressed up."""
    assert type(error) is TLSError
    assert isinstance(error, TransportError)
    assert not isinstance(error, ssl.SSLError | aiohttp.ClientError)


# -- a good client certificate ---------------------------------------------------------


async def test_async_session_with_a_client_certificate(
    proxy: TLSProxy, pki: PKI, influxdb_database: str, influxdb_server: InfluxDBServer
) -> None:
    async with AsyncSession(
        proxy.url, database=influxdb_database, **_client_options(pki)
    ) as session:
        assert await session.write(["mtls v=1 1", "mtls v=2 2"]) == 2
        result = await session.query('SELECT "v" FROM "mtls"')
    assert result["results"][0]["series"][0]["values"] == [[1, 1], [2, 2]]
    assert _stored(influxdb_server, influxdb_database, "mtls") == [1, 2]
    assert "client" in proxy.accepted


def test_blocking_session_with_a_client_certificate(
    proxy: TLSProxy, pki: PKI, influxdb_database: str
) -> None:
    with Session(proxy.url, database=influxdb_database, **_client_options(pki)) as session:
        assert session.write("mtls_blocking v=3 3") == 1
        assert session.show_measurements() == ["mtls_blocking"]
        result = session.query('SELECT "v" FROM "mtls_blocking"')
    assert result["results"][0]["series"][0]["values"] == [[3, 3]]


def test_certificate_and_key_in_one_file(
    proxy_tls12: TLSProxy, pki: PKI, influxdb_database: str
) -> None:
    with Session(
        proxy_tls12.url,
        database=influxdb_database,
        ssl_ca=str(pki.ca.cert),
        ssl_cert=str(pki.combined),
    ) as session:
        assert session.write("mtls_combined v=4 4") == 1


def test_from_url_takes_the_client_certificate(
    proxy: TLSProxy, pki: PKI, influxdb_database: str
) -> None:
    options = _client_options(pki)
    query = "&".join(f"{name}={quote(path, safe='')}" for name, path in options.items())
    with Session.from_url(f"{proxy.url}/{influxdb_database}?{query}") as session:
        assert session.write("mtls_url v=5 5") == 1
        assert session.show_measurements() == ["mtls_url"]


async def test_from_env_takes_the_client_certificate(
    proxy: TLSProxy, pki: PKI, influxdb_database: str
) -> None:
    environ = {
        "INFLUXDB_URL": proxy.url,
        "INFLUXDB_DATABASE": influxdb_database,
        "INFLUXDB_SSL_CA": str(pki.ca.cert),
        "INFLUXDB_SSL_CERT": str(pki.client.cert),
        "INFLUXDB_SSL_KEY": str(pki.client.key),
    }
    async with AsyncSession.from_env(environ) as session:
        assert await session.write("mtls_env v=6 6") == 1


async def test_an_encrypted_key_with_its_passphrase(
    proxy: TLSProxy, pki: PKI, influxdb_database: str, influxdb_server: InfluxDBServer
) -> None:
    options = {
        "ssl_ca": str(pki.ca.cert),
        "ssl_cert": str(pki.encrypted.cert),
        "ssl_key": str(pki.encrypted.key),
    }
    async with AsyncSession(
        proxy.url, database=influxdb_database, ssl_password="s3cret", **options
    ) as session:
        assert await session.write("mtls_encrypted v=7 7") == 1
        assert "s3cret" not in repr(session)
    environ = {
        "INFLUXDB_URL": proxy.url,
        "INFLUXDB_DATABASE": influxdb_database,
        "INFLUXDB_SSL_CA": options["ssl_ca"],
        "INFLUXDB_SSL_CERT": options["ssl_cert"],
        "INFLUXDB_SSL_KEY": options["ssl_key"],
        "INFLUXDB_SSL_PASSWORD": "s3cret",
    }
    with Session.from_env(environ) as blocking:
        assert blocking.write("mtls_encrypted v=8 8") == 1
    assert proxy.accepted[-1] == "encrypted"
    assert len(_stored(influxdb_server, influxdb_database, "mtls_encrypted")) == 2


# -- refused by the proxy --------------------------------------------------------------


async def test_without_a_client_certificate_the_server_refuses(
    any_proxy: TLSProxy, pki: PKI, influxdb_database: str, influxdb_server: InfluxDBServer
) -> None:
    refused_before = len(any_proxy.refused)
    async with AsyncSession(
        any_proxy.url, database=influxdb_database, ssl_ca=str(pki.ca.cert), retry_attempts=1
    ) as session:
        with pytest.raises(TransportError, match=r"client certificate") as caught:
            await session.write("refused v=1 1")
    _assert_plain_transport_error(caught.value)
    message = str(caught.value)
    assert message.startswith("POST /write: TLS with 127.0.0.1:")
    assert "ssl_cert=" in message  # says how to fix it
    assert any_proxy.refused[refused_before:] == ["PEER_DID_NOT_RETURN_A_CERTIFICATE"]
    assert _stored(influxdb_server, influxdb_database, "refused") == []


async def test_a_refused_handshake_is_not_retried(
    any_proxy: TLSProxy, pki: PKI, influxdb_database: str
) -> None:
    """The default retry policy retries transport errors, but a refused certificate stays
    refused: one handshake, then the error."""
    refused_before = len(any_proxy.refused)
    async with AsyncSession(
        any_proxy.url, database=influxdb_database, ssl_ca=str(pki.ca.cert)
    ) as session:
        assert session.retry.max_attempts > 1
        with pytest.raises(TLSError) as caught:
            await session.write("refused v=1 1")
    assert not any("not idempotent" in note for note in getattr(caught.value, "__notes__", []))
    assert any_proxy.refused[refused_before:] == ["PEER_DID_NOT_RETURN_A_CERTIFICATE"]


def test_without_a_client_certificate_blocking(any_proxy: TLSProxy, pki: PKI) -> None:
    with (
        Session(any_proxy.url, ssl_ca=str(pki.ca.cert), retry_attempts=1) as session,
        pytest.raises(TransportError, match=r"GET /ping: TLS .*client certificate") as caught,
    ):
        session.ping()
    _assert_plain_transport_error(caught.value)


async def test_a_certificate_from_another_ca_is_refused(
    any_proxy: TLSProxy, pki: PKI, influxdb_database: str, influxdb_server: InfluxDBServer
) -> None:
    refused_before = len(any_proxy.refused)
    async with AsyncSession(
        any_proxy.url,
        database=influxdb_database,
        ssl_ca=str(pki.ca.cert),
        ssl_cert=str(pki.intruder.cert),
        ssl_key=str(pki.intruder.key),
        retry_attempts=1,
    ) as session:
        with pytest.raises(TransportError) as caught:
            await session.write("intruder v=1 1")
    _assert_plain_transport_error(caught.value)
    assert "the server does not trust the client certificate (ssl_cert)" in str(caught.value)
    assert "unknown ca" in str(caught.value)  # OpenSSL's own words, for searching
    assert any_proxy.refused[refused_before:] == ["CERTIFICATE_VERIFY_FAILED"]
    assert _stored(influxdb_server, influxdb_database, "intruder") == []


def test_the_proxy_is_checked_too(proxy: TLSProxy, pki: PKI) -> None:
    """A good client certificate does not stand in for trusting the server's."""
    options = _client_options(pki) | {"ssl_ca": str(pki.intruder.cert)}
    with (
        Session(proxy.url, retry_attempts=1, **options) as session,
        pytest.raises(TransportError, match=r"server's certificate failed verification") as caught,
    ):
        session.ping()
    _assert_plain_transport_error(caught.value)


def test_https_to_a_plain_http_server_says_so(influxdb_server: InfluxDBServer) -> None:
    plain = f"https://{influxdb_server.host}:{influxdb_server.port}"
    with (
        Session(plain, retry_attempts=1) as session,
        pytest.raises(TransportError, match=r"^GET /ping: TLS with 127\.0\.0\.1:\d+: ") as caught,
    ):
        session.ping()
    _assert_plain_transport_error(caught.value)
    if "WRONG_VERSION_NUMBER" in str(caught.value):  # OpenSSL's word for it here (3.0)
        assert "did not answer in TLS (use an http:// URL" in str(caught.value)


# -- bad certificate files: refused when the session is created -------------------------


def _bad_options(pki: PKI, case: str) -> tuple[dict[str, str], str]:
    good = _client_options(pki)
    missing = str(pki.folder / "missing.pem")
    cases: dict[str, tuple[dict[str, str], str]] = {
        "missing key": (good | {"ssl_key": missing}, r"ssl_key '.*missing\.pem' cannot be read"),
        "missing cert": (
            good | {"ssl_cert": missing},
            r"ssl_cert '.*missing\.pem' cannot be read",
        ),
        "missing ca": (good | {"ssl_ca": missing}, r"ssl_ca '.*missing\.pem' cannot be read"),
        "key with a passphrase": (
            good | {"ssl_cert": str(pki.encrypted.cert), "ssl_key": str(pki.encrypted.key)},
            r"encrypted with a passphrase",
        ),
        "wrong passphrase": (
            good
            | {
                "ssl_cert": str(pki.encrypted.cert),
                "ssl_key": str(pki.encrypted.key),
                "ssl_password": "not it",
            },
            r"could not be decrypted with ssl_password",
        ),
        "passphrase without a certificate": (
            {"ssl_password": "s3cret"},
            r"ssl_password is the passphrase of ssl_key",
        ),
        "key of another certificate": (
            good | {"ssl_key": str(pki.intruder.key)},
            r"the private key does not belong to the certificate",
        ),
        "key file as the certificate": (
            good | {"ssl_cert": str(pki.client.key)},
            r"ssl_cert '.*client\.key' / ssl_key '.*': not a PEM certificate",
        ),
        "key without its certificate": (
            {"ssl_key": str(pki.client.key)},
            r"ssl_key needs ssl_cert",
        ),
        "a key as the CA": (good | {"ssl_ca": str(pki.client.key)}, r"holds no PEM certificate"),
    }
    return cases[case]


@pytest.mark.parametrize(
    "case",
    [
        "missing key",
        "missing cert",
        "missing ca",
        "key with a passphrase",
        "wrong passphrase",
        "passphrase without a certificate",
        "key of another certificate",
        "key file as the certificate",
        "key without its certificate",
        "a key as the CA",
    ],
)
def test_bad_certificate_files_fail_at_creation(proxy: TLSProxy, pki: PKI, case: str) -> None:
    options, message = _bad_options(pki, case)
    connections = len(proxy.accepted) + len(proxy.refused)
    with pytest.raises(ValidationError, match=message):
        Session(proxy.url, **options)
    with pytest.raises(ValidationError, match=message):
        AsyncSession(proxy.url, **options)
    assert len(proxy.accepted) + len(proxy.refused) == connections  # nothing was sent


def test_a_missing_key_in_the_url_fails_at_creation(proxy: TLSProxy, pki: PKI) -> None:
    missing = quote(str(pki.folder / "nope.key"), safe="")
    url = f"{proxy.url}/db?ssl_cert={quote(str(pki.client.cert), safe='')}&ssl_key={missing}"
    with pytest.raises(ValidationError, match=r"ssl_key '.*nope\.key' cannot be read"):
        Session.from_url(url)
