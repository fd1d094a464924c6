"""check_schema_async against what a real influxd reports."""

from __future__ import annotations

from datetime import datetime

import pytest

import influxorm as orm
from influxorm.schema_check import ConflictKind, check_schema_async, fetch_measurement_info
from influxorm.session import AsyncSession


class Reading(orm.Measurement, name="readings"):
    time: datetime = orm.time()
    sensor: str = orm.tag()
    room: str = orm.tag(name="room id")
    temperature: float = orm.field()
    count: int = orm.field()


async def test_no_conflicts_before_and_after_writing_the_model(
    influxdb_async_session: AsyncSession,
) -> None:
    assert await check_schema_async(influxdb_async_session, Reading) == []
    await influxdb_async_session.write(
        Reading(time=1, sensor="s1", room="r1", temperature=20.5, count=3)
    )
    assert await check_schema_async(influxdb_async_session, Reading) == []


async def test_conflicts_with_data_written_by_another_client(
    influxdb_async_session: AsyncSession,
) -> None:
    await influxdb_async_session.write(
        'readings,sensor=s1 temperature=20i,room\\ id="r1",count=1.5 1'
    )
    conflicts = await check_schema_async(influxdb_async_session, Reading)
    assert [(c.kind, c.attr) for c in conflicts] == [
        (ConflictKind.TAG_IS_FIELD, "room"),
        (ConflictKind.FIELD_TYPE, "temperature"),
        (ConflictKind.FIELD_TYPE, "count"),
    ]
    # The message predicts what the server then does with a write from the model.
    assert "would be refused" in str(conflicts[1])
    point = Reading(time=2, sensor="s1", room="r1", temperature=20.5, count=3)
    with pytest.raises(orm.WriteError, match="field type conflict"):
        await influxdb_async_session.write(point)


async def test_model_database_and_retention_policy_options_are_used(
    influxdb_async_session: AsyncSession, influxdb_database: str
) -> None:
    await influxdb_async_session.query(
        f'CREATE RETENTION POLICY "short" ON "{influxdb_database}" DURATION 1h REPLICATION 1'
    )
    await influxdb_async_session.write('readings,sensor=s1 temperature="warm"', rp="short")

    class Elsewhere(
        orm.Measurement, name="readings", database=influxdb_database, retention_policy="short"
    ):
        time: datetime = orm.time()
        temperature: float = orm.field()

    influxdb_async_session.database = None
    (conflict,) = await check_schema_async(influxdb_async_session, Elsewhere)
    assert conflict.kind is ConflictKind.FIELD_TYPE
    # Field keys are per retention policy (tag keys are per database): none in the default.
    info = await fetch_measurement_info(influxdb_async_session, "readings", db=influxdb_database)
    assert info.field_types == {}
