"""Authentication against a real auth-enabled influxd: TCP, URL forms and the unix socket."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from influxorm.exceptions import AuthenticationError, InfluxORMError
from influxorm.session import AsyncSession, Session
from influxorm.testing import InfluxDBServer

PASSWORD = "s3cr'et pass@word"


@pytest.fixture(scope="module")
def server() -> Iterator[InfluxDBServer]:
    with InfluxDBServer(auth_enabled=True) as own:
        own.execute('CREATE DATABASE "d"')
        own.execute("CREATE USER \"alice\" WITH PASSWORD 's3cr\\'et pass@word'")
        own.execute('GRANT ALL ON "d" TO "alice"')
        yield own


def test_401_without_credentials(server: InfluxDBServer) -> None:
    with (
        Session(server.url, database="d") as session,
        pytest.raises(AuthenticationError) as caught,
    ):
        session.query("SHOW MEASUREMENTS")
    assert caught.value.status == 401


def test_401_with_a_wrong_password(server: InfluxDBServer) -> None:
    with (
        Session(server.url, database="d", username="alice", password="nope") as session,
        pytest.raises(AuthenticationError) as caught,
    ):
        session.write("m v=1 1")
    assert caught.value.status == 401
    assert "nope" not in str(caught.value)


def test_basic_auth_writes_and_reads(server: InfluxDBServer) -> None:
    with Session(server.url, database="d", username="alice", password=PASSWORD) as session:
        assert session.write("auth v=1 1") == 1
        assert session.show_measurements() == ["auth"]


def test_credentials_in_the_url(server: InfluxDBServer) -> None:
    url = f"http://alice:{quote(PASSWORD, safe='')}@{server.host}:{server.port}"
    with Session(url, database="d") as session:
        assert session.write("url v=1 1") == 1
        assert PASSWORD not in repr(session)
        assert "alice" in repr(session)
    with Session.from_url(url + "/d?timeout=5") as session:
        assert session.database == "d"
        assert session.write("url v=2 2") == 1


def test_from_env(server: InfluxDBServer) -> None:
    env = {
        "INFLUXDB_URL": f"{server.url}/d",
        "INFLUXDB_USERNAME": "alice",
        "INFLUXDB_PASSWORD": PASSWORD,
    }
    with Session.from_env(env) as session:
        assert session.write("env v=1 1") == 1


async def test_unix_socket_enforces_and_accepts_auth(server: InfluxDBServer) -> None:
    async with AsyncSession(unix_socket=server.unix_socket, database="d") as anonymous:
        with pytest.raises(AuthenticationError):
            await anonymous.write("sock v=1 1")
    async with AsyncSession(
        unix_socket=server.unix_socket, database="d", username="alice", password=PASSWORD
    ) as session:
        assert await session.write("sock v=1 1") == 1
        result = await session.query('SELECT "v" FROM "sock"')
        assert result["results"][0]["series"][0]["values"] == [[1, 1]]
    with Session.from_url(
        f"http+unix://{quote(server.unix_socket, safe='')}/d", username="alice", password=PASSWORD
    ) as blocking:
        assert blocking.write("sock v=2 2") == 1


def test_credentials_never_reach_logs_or_errors(
    server: InfluxDBServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="influxorm")
    with Session(
        server.url, database="d", username=server.username, password=server.password
    ) as session:
        session.create_user("bob", "hunter2-secret")
        session.set_password("bob", "another-secret")
        with pytest.raises(InfluxORMError) as caught:
            session.create_user("bob", "third-secret")
        assert {"user": "bob", "admin": False} in session.show_users()
        session.drop_user("bob")
    text = caplog.text + str(caught.value) + repr(session)
    assert server.password is not None
    for secret in (server.password, "hunter2-secret", "another-secret", "third-secret"):
        assert secret not in text
