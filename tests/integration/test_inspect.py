"""`influxorm inspect` on data written by another client, and the generated models."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from influxorm.cli import main
from influxorm.models.schema import schema_of
from influxorm.session import Session
from influxorm.testing import InfluxDBServer

# Raw line protocol as another client would write it: spaces, dashes, keywords, a field
# only some points have, a whole float (read back as a JSON int) and a missing tag.
LINES = "\n".join(
    [
        r"sensor\ data,host\ name=a,class=x,region-id=eu "
        r'usage-user=1.5,count=2i,ok=true,note="hi" 1000',
        r"sensor\ data,host\ name=b usage-user=2,count=3i 2000",
        r'sensor\ data,class=y usage-user=3.25,for="only here",ok=false 3000',
    ]
)
DICTS = [
    {"measurement": "cpu", "tags": {"host": "a"}, "fields": {"load": 0.5}, "time": 10},
    {"measurement": "cpu", "tags": {"host": "b"}, "fields": {"load": 1.0}, "time": 20},
    {"measurement": "2fa-events", "fields": {"lambda": "x", "None": 1}, "time": 30},
]


def _import(path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("inspected_models", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.fixture
def generated(
    influxdb_server: InfluxDBServer,
    influxdb_database: str,
    influxdb_session: Session,
    tmp_path: Path,
) -> types.ModuleType:
    influxdb_session.write(LINES)
    influxdb_session.write(DICTS)
    path = tmp_path / "models.py"
    status = main(
        ["inspect", "--url", influxdb_server.url, "--database", influxdb_database, "-o", str(path)]
    )
    assert status == 0
    return _import(path)


def test_generated_models_cover_every_measurement_with_types(
    generated: types.ModuleType,
) -> None:
    assert sorted(generated.__all__) == ["Cpu", "Measurement2faEvents", "SensorData"]
    schema = schema_of(generated.SensorData)
    assert schema.measurement == "sensor data"
    assert {(c.attr, c.key) for c in schema.tags} == {
        ("class_", "class"),
        ("host_name", "host name"),
        ("region_id", "region-id"),
    }
    assert {(c.attr, c.key, c.python_type, c.optional) for c in schema.fields} == {
        ("count", "count", int, True),
        ("for_", "for", str, True),
        ("note", "note", str, True),
        ("ok", "ok", bool, True),
        ("usage_user", "usage-user", float, True),
    }
    events = schema_of(generated.Measurement2faEvents)
    assert events.measurement == "2fa-events"
    assert {(c.attr, c.key) for c in events.fields} == {("lambda_", "lambda"), ("none", "None")}
    (load,) = schema_of(generated.Cpu).fields
    assert (load.python_type, load.optional) == (float, False)


def test_generated_models_read_back_every_point(
    generated: types.ModuleType, influxdb_session: Session
) -> None:
    for model, expected in [(generated.SensorData, 3), (generated.Cpu, 2)]:
        measurement = schema_of(model).measurement
        result: Any = influxdb_session.query(f'SELECT * FROM "{measurement}"')
        (series,) = result["results"][0]["series"]
        assert len(series["values"]) == expected
        keys = {c.key for c in schema_of(model).columns}
        assert set(series["columns"]) == keys


def test_generated_models_fetch_every_point(
    generated: types.ModuleType, influxdb_session: Session
) -> None:
    points = sorted(generated.SensorData.objects.fetch(), key=lambda p: p.time)
    assert [(p.host_name, p.class_, p.region_id) for p in points] == [
        ("a", "x", "eu"),
        ("b", None, None),
        (None, "y", None),
    ]
    assert [(p.usage_user, p.count, p.ok, p.note, p.for_) for p in points] == [
        (1.5, 2, True, "hi", None),
        (2.0, 3, None, None, None),
        (3.25, None, False, None, "only here"),
    ]
    assert isinstance(points[1].usage_user, float)
    loads = sorted(p.load for p in generated.Cpu.objects.fetch())
    assert loads == [0.5, 1.0]


def test_field_types_that_differ_across_shards_are_reported(
    influxdb_server: InfluxDBServer,
    influxdb_database: str,
    influxdb_session: Session,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Shard groups are a week long: points a year apart land in different shards.
    influxdb_session.write("m v=1.5 0\nm v=2i 31536000000000000")
    status = main(["inspect", "--url", influxdb_server.url, "-d", influxdb_database, "-m", "m"])
    assert status == 0
    out = capsys.readouterr().out
    assert "# field 'v' has types float, integer across shards: declared float" in out
    assert "    v: float = orm.field()" in out


def test_unknown_measurement_and_missing_database_fail_cleanly(
    influxdb_server: InfluxDBServer, influxdb_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["inspect", "--url", influxdb_server.url, "-d", influxdb_database, "-m", "nope"])
    assert status == 1
    expected = f"influxorm: no such measurement(s) in {influxdb_database!r}: 'nope'\n"
    assert capsys.readouterr().err == expected
    assert main(["inspect", "--url", influxdb_server.url]) == 1
    assert "give a database with --database" in capsys.readouterr().err
