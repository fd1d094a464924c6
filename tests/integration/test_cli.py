"""The `influxorm` command against a real throwaway influxd."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from influxorm.cli import main
from influxorm.cli.exporting import export_measurement
from influxorm.cli.formats import open_sink, open_source
from influxorm.cli.importing import import_rows
from influxorm.session import AsyncSession, Session
from influxorm.testing import InfluxDBServer

LINES = "\n".join(
    [
        r"trades,instrument=AAPL,side\ type=BUY "
        r'price=219.23,size=100i,ok=true,note="a \"q\"" 1704205800123456789',
        r'trades,instrument=MSFT price=1,size=-5i,note="" 1704205801000000001',
        r'trades,side\ type=SELL price=0.1,ok=false,note="x,y" -1',
        r"trades,instrument=AAPL size=9223372036854775807i 0",
    ]
)


def _all(session: Session, measurement: str) -> list[list[Any]]:
    result: Any = session.query(f'SELECT * FROM "{measurement}" ORDER BY time')
    series = result["results"][0].get("series")
    if not series:
        return []
    return [[*row] for row in series[0]["values"]]


def _field_types(session: Session, measurement: str) -> list[list[str]]:
    result: Any = session.query(f'SHOW FIELD KEYS FROM "{measurement}"')
    return result["results"][0]["series"][0]["values"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_export_import_round_trip_keeps_types_and_timestamps(
    influxdb_server: InfluxDBServer,
    influxdb_database: str,
    influxdb_session: Session,
    tmp_path: Path,
    suffix: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    influxdb_session.write(LINES)
    path = tmp_path / f"trades.{suffix}"
    connection = ["--url", influxdb_server.url, "--database", influxdb_database]
    status = main(["export", *connection, "-m", "trades", "-o", str(path), "--chunk-size", "2"])
    assert status == 0
    assert capsys.readouterr().err == f"exported 4 points of 'trades' to {path}\n"

    status = main(["import", str(path), *connection, "-m", "copy", "--batch-size", "3"])
    assert status == 0
    assert capsys.readouterr().err == "imported 4 points into 'copy'\n"

    assert _all(influxdb_session, "copy") == _all(influxdb_session, "trades")
    # The empty string stays an empty string, a missing value stays missing.
    assert [row[2] for row in _all(influxdb_session, "copy")] == ["x,y", None, 'a "q"', ""]
    assert _field_types(influxdb_session, "copy") == _field_types(influxdb_session, "trades")
    result: Any = influxdb_session.query('SHOW TAG KEYS FROM "copy"')
    assert result["results"][0]["series"][0]["values"] == [["instrument"], ["side type"]]


def test_export_csv_text(
    influxdb_server: InfluxDBServer,
    influxdb_database: str,
    influxdb_session: Session,
    tmp_path: Path,
) -> None:
    influxdb_session.write(LINES)
    path = tmp_path / "out.csv"
    main(
        [
            "export",
            "--url",
            influxdb_server.url,
            "-d",
            influxdb_database,
            "-m",
            "trades",
            "-o",
            str(path),
        ]
    )
    assert path.read_text().splitlines() == [
        "time,instrument:tag,side type:tag,note:string,ok:boolean,price:float,size:integer",
        '1969-12-31T23:59:59.999999999Z,,SELL,"x,y",false,0.1,',
        "1970-01-01T00:00:00Z,AAPL,,,,,9223372036854775807",
        '2024-01-02T14:30:00.123456789Z,AAPL,BUY,"a ""q""",true,219.23,100',
        '2024-01-02T14:30:01.000000001Z,MSFT,,"",,1.0,-5',
    ]


def test_import_plain_csv_with_tag_columns(
    influxdb_server: InfluxDBServer,
    influxdb_database: str,
    influxdb_session: Session,
    tmp_path: Path,
) -> None:
    path = tmp_path / "plain.csv"
    path.write_text(
        "time,sensor,temp,count\n2024-01-01T00:00:00Z,s1,20,3\n2024-01-01T00:00:01Z,s2,20.5,\n"
    )
    status = main(
        [
            "import",
            str(path),
            "--url",
            influxdb_server.url,
            "-d",
            influxdb_database,
            "-m",
            "room",
            "--tag-columns",
            "sensor",
        ]
    )
    assert status == 0
    assert _field_types(influxdb_session, "room") == [["count", "integer"], ["temp", "float"]]
    assert _all(influxdb_session, "room") == [
        [1_704_067_200_000_000_000, 3, "s1", 20],
        [1_704_067_201_000_000_000, None, "s2", 20.5],
    ]


def test_import_error_is_one_line_and_writes_nothing_of_the_bad_batch(
    influxdb_server: InfluxDBServer,
    influxdb_database: str,
    influxdb_session: Session,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("time,v:integer\n1,1\n2,x\n")
    status = main(
        ["import", str(path), "--url", influxdb_server.url, "-d", influxdb_database, "-m", "m"]
    )
    assert status == 1
    assert capsys.readouterr().err == (
        f"influxorm: import failed: {path}:3: column 'v': not an integer: 'x'; "
        "nothing was written to 'm'\n"
    )
    assert _all(influxdb_session, "m") == []


def _import(server: InfluxDBServer, database: str, path: Path, *extra: str) -> int:
    connection = ["--url", server.url, "-d", database]
    return main(["import", str(path), *connection, "-m", "m", "--no-progress", *extra])


def test_a_failed_import_says_what_its_earlier_batches_wrote(
    influxdb_server: InfluxDBServer,
    influxdb_database: str,
    influxdb_session: Session,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "late.csv"
    path.write_text("time,v:integer,s:tag\n1,1,a\n2,,b\n3,3,c\n4,4,d\n5,x,e\n6,6,f\n")
    status = _import(influxdb_server, influxdb_database, path, "--batch-size", "2")
    assert status == 3  # some points were written: not the plain failure status 1
    assert capsys.readouterr().err == (
        f"influxorm: import failed: {path}:6: column 'v': not an integer: 'x'; "
        "3 point(s) were written before the failure and remain in 'm': 3 from the file's "
        "first 4 row(s) in 2 complete batch(es) (1 row(s) skipped for having no field "
        "value), 0 from the failing batch 3\n"
    )
    assert [row[0] for row in _all(influxdb_session, "m")] == [1, 3, 4]


def test_a_partly_refused_batch_counts_what_the_server_kept(
    influxdb_server: InfluxDBServer,
    influxdb_database: str,
    influxdb_session: Session,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    influxdb_session.write("m g=1i 100")  # g is an integer field: a float g conflicts
    path = tmp_path / "conflict.csv"
    path.write_text("time,v:integer,g:float\n1,1,\n2,2,\n3,3,\n4,4,0.5\n5,5,\n")
    status = _import(influxdb_server, influxdb_database, path, "--batch-size", "2")
    assert status == 3
    err = capsys.readouterr().err
    assert "field type conflict" in err
    assert err.endswith(
        "3 point(s) were written before the failure and remain in 'm': 2 from the file's "
        "first 2 row(s) in 1 complete batch(es) (0 row(s) skipped for having no field "
        "value), 1 from the failing batch 2\n"
    )
    times = [row[0] for row in _all(influxdb_session, "m")]
    assert times == [1, 2, 3, 100]  # row 4 refused, row 5 never sent


def test_a_batch_refused_whole_leaves_the_measurement_as_it_was(
    influxdb_server: InfluxDBServer,
    influxdb_database: str,
    influxdb_session: Session,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    influxdb_session.write("m g=1i 100")
    path = tmp_path / "conflict.csv"
    path.write_text("time,g:float\n1,0.5\n2,1.5\n")
    assert _import(influxdb_server, influxdb_database, path) == 1
    assert capsys.readouterr().err.endswith("; nothing was written to 'm'\n")
    assert [row[0] for row in _all(influxdb_session, "m")] == [100]


def test_export_of_unknown_measurement_fails_cleanly(
    influxdb_server: InfluxDBServer,
    influxdb_database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "x.csv"
    status = main(
        [
            "export",
            "--url",
            influxdb_server.url,
            "-d",
            influxdb_database,
            "-m",
            "no",
            "-o",
            str(path),
        ]
    )
    assert status == 1
    assert "measurement 'no' has no fields" in capsys.readouterr().err
    assert not path.exists()


def test_parquet_without_pyarrow_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    path = tmp_path / "x.parquet"
    path.write_bytes(b"")
    assert main(["import", str(path), "-d", "db", "-m", "m"]) == 1
    assert capsys.readouterr().err == (
        "influxorm: Parquet needs pyarrow: pip install 'influxorm[parquet]'\n"
    )


def test_ping(influxdb_server: InfluxDBServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ping", "--url", influxdb_server.url]) == 0
    assert capsys.readouterr().out.startswith("InfluxDB 1.")


def test_ping_through_the_unix_socket(
    influxdb_server: InfluxDBServer, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["ping", "--url", "http://localhost", "--unix-socket", influxdb_server.unix_socket]
    )
    assert status == 0
    assert "is up" in capsys.readouterr().out


def test_unreachable_server_is_one_line_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert main(["ping", "--url", f"http://127.0.0.1:{port}", "--timeout", "5"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("influxorm: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_bad_credentials_exit_1_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    with InfluxDBServer(auth_enabled=True) as server:
        status = main(
            ["inspect", "--url", server.url, "-d", "x", "--username", "admin", "--password", "no"]
        )
        assert status == 1
        assert capsys.readouterr().err.startswith("influxorm: ")
        env_status = subprocess.run(
            [sys.executable, "-m", "influxorm", "ping", "--url", server.url],
            env={
                **os.environ,
                "INFLUXDB_USERNAME": "admin",
                "INFLUXDB_PASSWORD": server.password or "",
            },
            capture_output=True,
            text=True,
            check=False,
        )
        assert env_status.returncode == 0, env_status.stderr


def test_usage_error_is_exit_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "influxorm", "export"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "required" in done.stderr


def test_demo_runs_with_no_server_configured(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFLUXDB_")}
    done = subprocess.run(
        [sys.executable, "-m", "influxorm", "demo"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("started a throwaway influxd at http://127.0.0.1:")
    assert "wrote 12 trades to measurement 'trades'" in lines
    assert "2024-01-02T14:30:00Z  AAPL        BUY    100.0    10" in lines
    assert "AAPL             4    105.625     100" in lines
    assert lines[-1] == "stopped the throwaway influxd and removed its files"


async def test_export_and_import_report_cumulative_progress(
    influxdb_async_session: AsyncSession, tmp_path: Path
) -> None:
    await influxdb_async_session.write(LINES)
    path = tmp_path / "p.csv"
    exported: list[tuple[int, int | None, str]] = []
    count = await export_measurement(
        influxdb_async_session,
        "trades",
        lambda columns: open_sink(path, "csv", columns),
        chunk_size=3,
        progress=lambda *report: exported.append(report),
    )
    assert count == 4
    assert exported == [(3, None, "points exported"), (4, None, "points exported")]

    imported: list[tuple[int, int | None, str]] = []
    source = open_source(path, "csv")
    try:
        result = await import_rows(
            influxdb_async_session,
            source,
            "copy",
            batch_size=2,
            progress=lambda *report: imported.append(report),
        )
    finally:
        source.close()
    assert (result.written, result.skipped) == (4, 0)
    assert imported == [(2, None, "rows imported"), (4, None, "rows imported")]


def test_undecodable_bytes_later_in_the_file_are_reported_with_what_was_written(
    influxdb_server: InfluxDBServer,
    influxdb_database: str,
    influxdb_session: Session,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"time,v:integer\n1,1\n2,2\n" + b"x" * 9000 + b"\n3,\xff\n")
    status = _import(influxdb_server, influxdb_database, path, "--batch-size", "2")
    assert status == 3
    err = capsys.readouterr().err
    assert "'utf-8' codec can't decode byte 0xff" in err
    assert "2 point(s) were written before the failure" in err
    assert [row[0] for row in _all(influxdb_session, "m")] == [1, 2]
