"""A model's ``database=`` and ``retention_policy=`` class keywords route its writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import influxorm as orm
from influxorm.session import Session
from influxorm.testing import InfluxDBServer

T0 = datetime(2024, 5, 1, tzinfo=UTC)


@pytest.fixture
def other_database(influxdb_server: InfluxDBServer) -> str:
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


def test_model_database_and_rp_route_writes(session: Session, other_database: str) -> None:
    class Routed(orm.Measurement, name="routed", database="elsewhere", retention_policy="short"):
        time: datetime = orm.time()
        host: str = orm.tag()
        value: float = orm.field()

    class Plain(orm.Measurement, name="routed"):
        time: datetime = orm.time()
        host: str = orm.tag()
        value: float = orm.field()

    written = session.write(
        [Routed(time=T0, host="a", value=1.0), Plain(time=T0, host="b", value=2.0)]
    )

    assert written == 2
    assert _count(session, other_database, "short") == 1
    assert _count(session, session.database or "") == 1
    assert _count(session, other_database) == 0
    # An explicit db= wins over the model's.
    session.write(Routed(time=T0, host="c", value=3.0), db=session.database)
    assert _count(session, session.database or "") == 2


def test_one_bad_point_in_any_group_sends_nothing(session: Session, other_database: str) -> None:
    class Routed(orm.Measurement, name="routed", database="elsewhere", retention_policy="short"):
        time: datetime = orm.time()
        value: float = orm.field()

    class Plain(orm.Measurement, name="routed"):
        time: datetime = orm.time()
        value: float = orm.field()

    with pytest.raises(orm.ValidationError):
        session.write([Routed(time=T0, value=1.0), Plain(time=T0, value=float("nan"))])

    assert _count(session, other_database, "short") == 0
    assert _count(session, session.database or "") == 0
