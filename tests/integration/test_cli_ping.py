"""``influxorm ping`` checks the credentials, not only that the server answers (issue 13,
item 4), against a real auth-enabled influxd (``/ping`` itself never checks them)."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from influxorm.cli import main
from influxorm.testing import InfluxDBServer


@pytest.fixture(scope="module")
def server() -> Iterator[InfluxDBServer]:
    with InfluxDBServer(auth_enabled=True) as own:
        own.execute("CREATE USER \"reader\" WITH PASSWORD 'reader-pw'")
        yield own


def _ping(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["ping", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_a_wrong_password_exits_1_with_the_servers_message(
    server: InfluxDBServer, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _ping(capsys, "--url", server.url, "-u", "admin", "--password", "wrong")
    assert (status, out) == (1, "")
    assert err.startswith("influxorm: InfluxDB 1.")
    assert err.endswith(
        f" is up at {server.url} but refused the credentials (401): authorization failed\n"
    )


def test_a_wrong_password_in_the_url_exits_1(
    server: InfluxDBServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://admin:wr#ng@{server.host}:{server.port}"
    status, out, err = _ping(capsys, "--url", url)
    assert (status, out) == (1, "")
    assert "refused the credentials (401): authorization failed" in err
    assert "wr#ng" not in err


def test_no_credentials_on_a_server_that_requires_them_exits_1_saying_what_to_give(
    server: InfluxDBServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("INFLUXDB_USERNAME", "INFLUXDB_PASSWORD", "INFLUXDB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    status, _, err = _ping(capsys, "--url", server.url)
    assert status == 1
    assert "(401): unable to parse authentication credentials" in err
    assert "give --username and --password, or --token" in err
    status, _, err = _ping(capsys, "--url", server.url, "--token", "not-a-token")
    assert status == 1


def test_accepted_credentials_exit_0(
    server: InfluxDBServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert server.password is not None
    admin = ("-u", "admin", "--password", server.password)
    status, out, err = _ping(capsys, "--url", server.url, *admin)
    assert (status, err) == (0, "")
    assert out.startswith("InfluxDB 1.")
    assert out.endswith(f" is up at {server.url}\n")
    # A user without any privilege may still connect: the credentials are what is checked.
    monkeypatch.setenv("INFLUXDB_USERNAME", "reader")
    monkeypatch.setenv("INFLUXDB_PASSWORD", "reader-pw")
    assert _ping(capsys, "--url", server.url)[0] == 0


def test_an_unreachable_server_is_one_line_on_stderr_without_the_password() -> None:
    # A real process, without pytest's log handlers: the retries given up are logged at
    # WARNING, which Python would print too if the command did not keep them quiet.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = subprocess.run(
        [sys.executable, "-m", "influxorm", "ping", "--url", f"http://u:p#SECRET@127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith("influxorm: GET /ping: ")
    assert done.stderr.count("\n") == 1
    assert "SECRET" not in done.stderr
