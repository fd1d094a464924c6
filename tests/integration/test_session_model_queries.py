"""``session.fetch(query)`` and friends: the typed equivalents of a query's terminal operations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

import influxorm as orm
from influxorm.session import AsyncSession, Session


class Reading(orm.Measurement, name="readings"):
    time: datetime = orm.time()
    sensor: str = orm.tag()
    value: float = orm.field()
    count: int = orm.field()


T0 = datetime(2024, 3, 1, tzinfo=UTC)
POINTS = [
    Reading(time=T0 + timedelta(seconds=i), sensor=f"s{i % 3}", value=i / 2, count=i)
    for i in range(30)
]
S1 = [p for p in POINTS if p.sensor == "s1"]


def test_blocking_session_methods(influxdb_session: Session) -> None:
    influxdb_session.write(POINTS)
    query = Reading.objects.where(sensor="s1")

    assert influxdb_session.fetch(query) == S1
    assert influxdb_session.first(query.order_by("-time")) == S1[-1]
    assert influxdb_session.count(query) == len(S1)
    assert influxdb_session.exists(query)
    assert not influxdb_session.exists(Reading.objects.where(sensor="nope"))
    assert list(influxdb_session.iterate(query, chunk_size=3)) == S1

    rows = influxdb_session.fetch_rows(query.aggregate(total=orm.Sum("count")))
    assert [row["total"] for row in rows] == [sum(p.count for p in S1)]

    frame = influxdb_session.to_dataframe(query)
    assert isinstance(frame.index, pd.DatetimeIndex)
    assert str(frame.index.tz) == "UTC"
    assert frame["value"].tolist() == [p.value for p in S1]

    influxdb_session.delete(query)
    assert influxdb_session.count(Reading.objects) == len(POINTS) - len(S1)
    assert influxdb_session.check_schema(Reading) == []


async def test_async_session_methods(influxdb_async_session: AsyncSession) -> None:
    await influxdb_async_session.write(POINTS)
    query = Reading.objects.where(sensor="s1")

    assert await influxdb_async_session.fetch(query) == S1
    assert await influxdb_async_session.first(query) == S1[0]
    assert await influxdb_async_session.count(query) == len(S1)
    assert await influxdb_async_session.exists(query)
    assert [r async for r in influxdb_async_session.iterate(query, chunk_size=4)] == S1
    assert (await influxdb_async_session.to_dataframe(query))["count"].tolist() == [
        p.count for p in S1
    ]
    await influxdb_async_session.delete(query)
    assert not await influxdb_async_session.exists(query)


def test_check_schema_reports_a_conflict(influxdb_session: Session) -> None:
    influxdb_session.write('readings,sensor=a value="text",count=1i 1')

    conflicts = influxdb_session.check_schema(Reading)

    assert [c.key for c in conflicts] == ["value"]


def test_fetch_returns_results_larger_than_one_server_chunk(influxdb_session: Session) -> None:
    """influxd marks unchunked series over 10,000 points partial: fetch() must stream."""
    points = [
        Reading(time=T0 + timedelta(microseconds=i), sensor="big", value=float(i), count=i)
        for i in range(25_000)
    ]
    influxdb_session.write(points)

    fetched = influxdb_session.fetch(Reading.objects.where(sensor="big"))

    assert fetched == points
