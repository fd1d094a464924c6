"""The throwaway influxd of influxorm.testing, exercised for real."""

from __future__ import annotations

import http.client
import json
import os
import socket
import time
import urllib.error
import urllib.request

import pytest

from influxorm.session import Session
from influxorm.testing import InfluxDBServer, InfluxDBServerError


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost")
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(self._path)
        self.sock = sock


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _post(url: str, body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_server_answers_on_loopback_and_unix_socket(influxdb_server: InfluxDBServer) -> None:
    assert influxdb_server.host == "127.0.0.1"
    assert influxdb_server.url == f"http://127.0.0.1:{influxdb_server.port}"
    status, _ = _get(f"{influxdb_server.url}/ping")
    assert status == 204

    connection = _UnixHTTPConnection(influxdb_server.unix_socket)
    connection.request("GET", "/ping")
    response = connection.getresponse()
    assert response.status == 204
    assert response.getheader("X-Influxdb-Version", "").startswith("1.")
    connection.close()


def test_every_file_lives_in_the_temporary_folder(influxdb_server: InfluxDBServer) -> None:
    root = influxdb_server.data_dir
    assert {p.name for p in root.iterdir()} >= {"meta", "data", "influxdb.conf"}
    assert influxdb_server.log_path.parent == root
    assert os.path.dirname(influxdb_server.unix_socket) == str(root)
    config = influxdb_server.config_path.read_text()
    assert "reporting-disabled = true" in config
    assert "/var/lib/influxdb" not in config
    assert f'wal-dir = "{root / "wal"}"' in config


def test_auth_enabled_refuses_anonymous_and_accepts_the_admin() -> None:
    with InfluxDBServer(auth_enabled=True) as server:
        assert server.username is not None
        assert server.password is not None
        status, _ = _get(f"{server.url}/query?q=SHOW+DATABASES")
        assert status == 401
        result = server.execute("SHOW USERS")
        users = result["results"][0]["series"][0]["values"]
        assert [server.username, True] in users


def test_extra_config_is_merged_into_the_config() -> None:
    with InfluxDBServer(extra_config={"http": {"max-body-size": 1000}}) as server:
        server.execute('CREATE DATABASE "limits"')
        small = b"m v=1 1"
        assert _post(f"{server.url}/write?db=limits", small)[0] == 204
        big = "\n".join(f"m v={i} {i}" for i in range(200)).encode()
        status, body = _post(f"{server.url}/write?db=limits", big)
        assert status == 413
        assert b"Request Entity Too Large" in body


def test_restart_keeps_port_socket_and_data() -> None:
    with InfluxDBServer() as server:
        server.execute('CREATE DATABASE "kept"')
        assert _post(f"{server.url}/write?db=kept", b"m v=42 1000")[0] == 204
        port, socket_path, first_pid = server.port, server.unix_socket, server.pid

        server.restart()

        assert server.port == port
        assert server.unix_socket == socket_path
        assert server.pid != first_pid
        assert first_pid is not None
        assert not _process_exists(first_pid)
        result = server.execute("SELECT v FROM m", database="kept")
        assert result["results"][0]["series"][0]["values"] == [["1970-01-01T00:00:00.000001Z", 42]]


def test_stop_and_start_keep_the_data() -> None:
    with InfluxDBServer() as server:
        server.execute('CREATE DATABASE "kept"')
        server.stop()
        assert not server.running
        server.start()
        result = server.execute("SHOW DATABASES")
        assert ["kept"] in result["results"][0]["series"][0]["values"]


def test_close_stops_the_process_and_removes_every_file() -> None:
    server = InfluxDBServer()
    with server:
        pid = server.pid
        root = server.data_dir
        assert pid is not None
        assert _process_exists(pid)
    assert not _process_exists(pid)
    assert not root.exists()
    assert not server.running


def test_a_server_that_cannot_start_reports_its_log() -> None:
    server = InfluxDBServer(extra_config={"data": {"index-version": "no-such-index"}})
    with pytest.raises(InfluxDBServerError, match="log tail"):
        server.start()
    assert not server.running
    server.close()


def test_execute_reports_server_errors(influxdb_server: InfluxDBServer) -> None:
    with pytest.raises(InfluxDBServerError, match="not found"):
        influxdb_server.execute("SELECT * FROM m", database="no_such_db")


def test_the_database_fixture_creates_a_fresh_database(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    result = influxdb_server.execute("SHOW DATABASES")
    names = [row[0] for row in result["results"][0]["series"][0]["values"]]
    assert influxdb_database in names
    assert json.dumps(result)  # plain JSON, as the server sent it


def _write_and_create_cq(server: InfluxDBServer, database: str) -> list[float]:
    """Points one second apart ending now, and a CQ averaging them per second."""
    now_s = int(time.time())
    values = [float(i) for i in range(1, 6)]
    with Session(server.url, database=database) as session:
        session.write([f"raw v={v} {(now_s - 6 + i) * 10**9}" for i, v in enumerate(values)])
    server.execute(
        f'CREATE CONTINUOUS QUERY "per_second" ON "{database}" RESAMPLE FOR 1m BEGIN '
        f'SELECT mean("v") AS "v" INTO "{database}"."autogen"."per_second" FROM "raw" '
        "GROUP BY time(1s) END"
    )
    return values


def _cq_output(server: InfluxDBServer, database: str) -> list[float]:
    result = server.execute('SELECT "v" FROM "per_second"', database=database)
    series = result["results"][0].get("series") or [{"values": []}]
    return [row[1] for row in series[0]["values"]]


def test_continuous_queries_run_when_turned_on() -> None:
    with InfluxDBServer(continuous_queries=True, cq_run_interval="1s") as server:
        assert 'run-interval = "1s"' in server.config_path.read_text()
        server.execute('CREATE DATABASE "cq"')
        values = _write_and_create_cq(server, "cq")
        deadline = time.monotonic() + 20
        while not (found := _cq_output(server, "cq")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert found == values


def test_continuous_queries_are_off_by_default(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    _write_and_create_cq(influxdb_server, influxdb_database)
    time.sleep(3)  # three run intervals of a server whose CQ service would be on
    assert _cq_output(influxdb_server, influxdb_database) == []
