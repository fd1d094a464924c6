"""`influxorm inspect` on hostile names stored in a real influxd (issue 12, item 3).

Anyone with write access chooses measurement, tag and field names. Each test stores
points under such names, runs ``influxorm inspect``, checks the generated module node by
node (only declarations: no call but ``orm.time/tag/field``, no statement that runs
anything), imports it, checks that nothing ran (the payloads would create a file), and
that every model names exactly the keys the server holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.generated_code import check_generated_source, import_generated, model_keys

from influxorm.cli import main
from influxorm.exceptions import ValidationError
from influxorm.session import Session
from influxorm.testing import InfluxDBServer

# What can be stored: line protocol carries no LF, CR or NUL in a name.
PAYLOADS = [
    '"""',
    "'''",
    'x"""; __import__("os").system("touch PWNED"); """',
    "x'''; __import__('os').system('touch PWNED'); '''",
    "__import__('os').system('touch PWNED')",
    '\\"""',
    "a\\b",
    "\\\\x",
    "m#x",
    "x\u2028__import__('os').system('touch PWNED')",
    "\x0c\x0b\x1c\x85",
    "class",
    "None",
    "lambda",
    "orm",
    "datetime",
    "str",
    "objects",
    "ünïcödé 名前 🙂",
]
Keys = set[tuple[str, frozenset[str], frozenset[str]]]
HOSTILE = "\"'\\#()[]{};:,.= \t\x0b\x0c\x1c\x85\u2028\ufeffaZ9é"


@pytest.fixture
def db(influxdb_server: InfluxDBServer) -> Iterator[str]:
    name = f"hostile_{uuid.uuid4().hex[:12]}"
    influxdb_server.execute(f'CREATE DATABASE "{name}"')
    yield name
    influxdb_server.execute(f'DROP DATABASE "{name}"')


def _store(server: InfluxDBServer, db: str, points: list[dict[str, object]]) -> Keys:
    """Write each point the library accepts; return (measurement, tag keys, field keys)."""
    stored: dict[str, tuple[set[str], set[str]]] = {}
    with Session(server.url, database=db) as session:
        for time_ns, point in enumerate(points):
            try:
                session.write({**point, "time": time_ns})
            except ValidationError:
                continue  # a name line protocol cannot carry never reaches the server
            tags, fields = stored.setdefault(str(point["measurement"]), (set(), set()))
            tags.update(point["tags"])  # type: ignore[arg-type]
            fields.update(point["fields"])  # type: ignore[arg-type]
    return {(m, frozenset(t - f), frozenset(f)) for m, (t, f) in stored.items()}


def _inspect(server: InfluxDBServer, db: str, out: Path) -> Keys:
    assert main(["inspect", "--url", server.url, "-d", db, "-o", str(out)]) == 0
    source = out.read_text(encoding="utf-8")
    classes = check_generated_source(source)
    module = import_generated(source)
    assert not (out.parent / "PWNED").exists()
    return {model_keys(getattr(module, name)) for name in classes}


def test_hostile_names_in_every_position_stay_data(
    influxdb_server: InfluxDBServer, db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where "touch PWNED" would create its file
    points: list[dict[str, object]] = []
    for payload in PAYLOADS:
        points.append(
            {"measurement": payload, "tags": {payload: "v"}, "fields": {payload + "f": 1.0}}
        )
        points.append({"measurement": "m", "tags": {payload + "t": "v"}, "fields": {payload: "s"}})
    stored = _store(influxdb_server, db, points)
    assert len(stored) > len(PAYLOADS) // 2  # most of them reached the server
    assert _inspect(influxdb_server, db, tmp_path / "models.py") == stored


names = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(alphabet=HOSTILE, min_size=1, max_size=10),
    st.lists(st.sampled_from(PAYLOADS), min_size=2, max_size=3).map("".join),
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    measurement=names,
    tag_keys=st.lists(names, min_size=1, max_size=3, unique=True),
    field_keys=st.lists(names, min_size=1, max_size=3, unique=True),
)
def test_arbitrary_hostile_names_stay_data(
    influxdb_server: InfluxDBServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    measurement: str,
    tag_keys: list[str],
    field_keys: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    db = f"hostile_{uuid.uuid4().hex[:12]}"
    influxdb_server.execute(f'CREATE DATABASE "{db}"')
    try:
        point = {
            "measurement": measurement,
            "tags": {key: "v" for key in tag_keys if key not in field_keys},
            "fields": dict.fromkeys(field_keys, 1.0),
        }
        stored = _store(influxdb_server, db, [point])
        if stored:
            assert _inspect(influxdb_server, db, tmp_path / "models.py") == stored
    finally:
        influxdb_server.execute(f'DROP DATABASE "{db}"')
