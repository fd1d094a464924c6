"""``influxorm migrate module:attribute``: the plan as a table, --apply, --prune, and the
exit statuses (0 nothing pending or applied, 3 pending, 1 failure)."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from influxorm.cli import main
from influxorm.cli.migrate import PENDING
from influxorm.session import Session
from influxorm.testing import InfluxDBServer

MODULE = """
from datetime import datetime
import influxorm as orm

class Tick(orm.Measurement, name="ticks", retention_policy="raw"):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    price: float = orm.field()

class Bar(orm.Measurement, name="bars", retention_policy="year"):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    high: float = orm.field()

DECLARED = [
    orm.RetentionPolicy("raw", "7d", default=True),
    orm.RetentionPolicy("year", "52w"),
    orm.ContinuousQuery(
        "bars_1m",
        Tick.objects.aggregate(high=orm.Max("price"))
        .group_by("instrument", orm.every("1m"))
        .into(Bar),
    ),
]

class Spec:
    retention_policies = DECLARED[:1]
    continuous_queries = ()

NOT_DECLARATIONS = ["raw"]
"""


@pytest.fixture
def declarations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"declared_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(MODULE), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    yield name
    sys.modules.pop(name, None)


def migrate(server: InfluxDBServer, database: str, *args: str) -> int:
    connection = ["--url", server.url, "-d", database]
    if server.username:
        connection += ["-u", server.username, "--password", server.password or ""]
    return main(["migrate", *args, *connection])


def test_plan_apply_and_nothing_left(
    influxdb_server: InfluxDBServer,
    influxdb_session: Session,
    declarations: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database = influxdb_session.database
    assert database is not None
    assert migrate(influxdb_server, database, f"{declarations}:DECLARED") == PENDING
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["action", "kind", "name", "statement"]
    assert lines[2].startswith("create  retention policy  raw      CREATE RETENTION POLICY")
    assert "create  continuous query  bars_1m  CREATE CONTINUOUS QUERY" in out
    assert lines[-1] == f"{database}: 3 change(s) pending; run with --apply to make them"
    assert [row["name"] for row in influxdb_session.show_retention_policies()] == ["autogen"]

    assert migrate(influxdb_server, database, f"{declarations}:DECLARED", "--apply") == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{database}: applied 3 change(s)"
    assert [row["name"] for row in influxdb_session.show_continuous_queries(database)] == [
        "bars_1m"
    ]
    assert migrate(influxdb_server, database, f"{declarations}:DECLARED") == 0
    assert capsys.readouterr().out == f"{database}: nothing to change\n"

    # An object with retention_policies/continuous_queries; --prune drops the rest.
    assert migrate(influxdb_server, database, f"{declarations}:Spec", "--prune") == PENDING
    out = capsys.readouterr().out
    drops = sorted(line.split()[:4] for line in out.splitlines() if line.startswith("drop "))
    assert drops == [
        ["drop", "continuous", "query", "bars_1m"],
        ["drop", "retention", "policy", "autogen"],
        ["drop", "retention", "policy", "year"],
    ]
    assert [row["name"] for row in influxdb_session.show_continuous_queries(database)] == [
        "bars_1m"
    ]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_such_module_xyz:X", "cannot import 'no_such_module_xyz'"),
        ("{m}:MISSING", "has no attribute 'MISSING'"),
        ("{m}", "module:attribute"),
        ("{m}:NOT_DECLARATIONS", "expected RetentionPolicy and ContinuousQuery"),
    ],
)
def test_bad_declarations_are_one_line_and_status_1(
    influxdb_server: InfluxDBServer,
    influxdb_database: str,
    declarations: str,
    capsys: pytest.CaptureFixture[str],
    spec: str,
    message: str,
) -> None:
    assert migrate(influxdb_server, influxdb_database, spec.format(m=declarations)) == 1
    err = capsys.readouterr().err
    assert err.startswith("influxorm: ")
    assert message in err
    assert err.count("\n") == 1
