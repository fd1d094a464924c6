"""check_schema: a model against what SHOW TAG KEYS / SHOW FIELD KEYS report (no server)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import influxorm as orm
from influxorm.schema_check import ConflictKind, MeasurementInfo, check_schema, measurement_ref


class Level(Enum):
    LOW = 1
    HIGH = 2


class Reading(orm.Measurement, name="readings", extra_tags={"site": "lab"}):
    time: datetime = orm.time()
    sensor: str = orm.tag()
    room: str = orm.tag(name="room id")
    temperature: float = orm.field()
    count: int = orm.field()
    level: Level = orm.field()
    ok: bool | None = orm.field(default=None)


def _info(tags: list[str], fields: list[tuple[str, str]]) -> MeasurementInfo:
    return MeasurementInfo.from_rows("readings", tags, fields)


def test_matching_schema_and_unknown_measurement_have_no_conflicts() -> None:
    info = _info(
        ["sensor", "room id", "site", "other"],
        [("temperature", "float"), ("count", "integer"), ("level", "integer"), ("ok", "boolean")],
    )
    assert check_schema(Reading, info) == []
    assert check_schema(Reading, MeasurementInfo("readings")) == []
    assert not MeasurementInfo("readings").exists


def test_every_kind_of_conflict_is_reported_with_a_message() -> None:
    info = _info(
        ["ok"],
        [
            ("temperature", "integer"),
            ("count", "float"),
            ("count", "integer"),
            ("level", "string"),
            ("room id", "string"),
            ("site", "float"),
        ],
    )
    conflicts = check_schema(Reading, info)
    assert [(c.kind, c.key, c.attr) for c in conflicts] == [
        (ConflictKind.TAG_IS_FIELD, "room id", "room"),
        (ConflictKind.TAG_IS_FIELD, "site", None),
        (ConflictKind.FIELD_TYPE, "temperature", "temperature"),
        (ConflictKind.FIELD_TYPE, "level", "level"),
        (ConflictKind.FIELD_IS_TAG, "ok", "ok"),
    ]
    messages = [str(c) for c in conflicts]
    assert messages[0] == (
        "Reading.room (key 'room id') is a tag, but measurement 'readings' has "
        "'room id' as a field (string) on the server"
    )
    assert messages[1].startswith("Reading extra tag 'site' is a tag")
    assert messages[2] == (
        "Reading.temperature is declared float, but field 'temperature' of measurement "
        "'readings' is integer on the server: points written from this model would be refused"
    )
    assert messages[4] == (
        "Reading.ok is a field, but measurement 'readings' has 'ok' as a tag on the server"
    )


def test_a_key_both_tag_and_field_on_the_server_is_no_conflict() -> None:
    info = _info(["sensor", "temperature"], [("sensor", "string"), ("temperature", "float")])
    assert check_schema(Reading, info) == []


def test_measurement_ref_quotes() -> None:
    assert measurement_ref('a "b"') == '"a \\"b\\""'
    assert measurement_ref("m", "rp 1") == '"rp 1"."m"'
