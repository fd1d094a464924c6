"""A model's ``database=`` and ``retention_policy=`` class keywords route its writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

import influxorm as orm
from influxorm.session import Session
from influxorm.testing import InfluxDBServer

T0 = datetime(2024, 5, 1, tzinfo=UTC)
T0_NS = int(T0.timestamp()) * 1_000_000_000


class Routed(orm.Measurement, name="routed", database="elsewhere", retention_policy="short"):
    """Written to "elsewhere"."short" unless a call names db=."""

    time: datetime = orm.time()
    host: str = orm.tag()
    value: float = orm.field()


class Plain(orm.Measurement, name="routed"):
    """The same measurement, written to the session's database."""

    time: datetime = orm.time()
    host: str = orm.tag()
    value: float = orm.field()


@pytest.fixture
def other_database(influxdb_server: InfluxDBServer) -> Iterator[str]:
    influxdb_server.execute('CREATE DATABASE "elsewhere"')
    influxdb_server.execute(
        'CREATE RETENTION POLICY "short" ON "elsewhere" DURATION 1000w REPLICATION 1'
    )
    yield "elsewhere"
    influxdb_server.execute('DROP DATABASE "elsewhere"')


def _count(session: Session, db: str, rp: str = "autogen", measurement: str = "routed") -> int:
    result = session.query(f'SELECT count(*) FROM "{rp}"."{measurement}"', db=db)
    series = result["results"][0].get("series") or [{"values": [[0, 0]]}]
    return int(series[0]["values"][0][1])


def test_model_database_and_rp_route_writes(influxdb_session: Session, other_database: str) -> None:
    written = influxdb_session.write(
        [Routed(time=T0, host="a", value=1.0), Plain(time=T0, host="b", value=2.0)]
    )

    assert written == 2
    assert _count(influxdb_session, other_database, "short") == 1
    assert _count(influxdb_session, influxdb_session.database or "") == 1
    assert _count(influxdb_session, other_database) == 0
    # An explicit db= wins over the model's.
    influxdb_session.write(Routed(time=T0, host="c", value=3.0), db=influxdb_session.database)
    assert _count(influxdb_session, influxdb_session.database or "") == 2


def test_one_bad_point_in_any_group_sends_nothing(
    influxdb_session: Session, other_database: str
) -> None:
    with pytest.raises(orm.ValidationError):
        influxdb_session.write(
            [Routed(time=T0, host="a", value=1.0), Plain(time=T0, host="b", value=float("nan"))]
        )

    assert _count(influxdb_session, other_database, "short") == 0
    assert _count(influxdb_session, influxdb_session.database or "") == 0


def test_the_bulk_writer_routes_models_like_write(
    influxdb_session: Session, other_database: str
) -> None:
    def point(cls: type[Routed] | type[Plain], n: int) -> Routed | Plain:
        return cls(time=T0 + timedelta(seconds=n), host="h", value=float(n))

    with influxdb_session.writer(batch_size=3) as w:
        for n in range(7):
            w.write(point(Routed, n))  # one at a time
        w.write([point(Routed, 10), point(Plain, 11), point(Plain, 12)])  # mixed: split
        w.write({"measurement": "routed", "fields": {"value": 1.0}, "time": T0})
    assert w.progress.points_written == 11
    assert _count(influxdb_session, other_database, "short") == 8
    assert _count(influxdb_session, influxdb_session.database or "") == 3
    assert _count(influxdb_session, other_database) == 0

    # db= given to writer() wins over the model's, as for write(); rp= alone overrides
    # only the retention policy
    with influxdb_session.writer(db=influxdb_session.database) as w:
        w.write(point(Routed, 20))
    assert _count(influxdb_session, influxdb_session.database or "") == 4
    with influxdb_session.writer(rp="autogen") as w:
        w.write(point(Routed, 21))
    assert _count(influxdb_session, other_database) == 1


async def test_the_writer_needs_no_session_database_for_routed_models(
    influxdb_server: InfluxDBServer, other_database: str
) -> None:
    class Routed(orm.Measurement, name="routed", database="elsewhere"):
        time: int = orm.time()
        value: float = orm.field()

    async with orm.AsyncSession(influxdb_server.url) as session:
        async with session.writer() as w:
            await w.write(Routed(time=T0_NS, value=1.0))
            with pytest.raises(orm.ValidationError, match="no database"):
                await w.write({"measurement": "routed", "fields": {"value": 1.0}})
        result = await session.query('SELECT count(*) FROM "routed"', db=other_database)
        assert result["results"][0]["series"][0]["values"][0][1] == 1
