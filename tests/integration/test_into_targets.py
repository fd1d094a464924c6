"""INTO targets: influxd writes the points as line protocol, so a target is checked as a
written measurement name is; what passes is stored under exactly that name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import influxorm as orm
from influxorm.session import Session


class Tick(orm.Measurement, name="ticks"):
    time: datetime = orm.time()
    tk: str = orm.tag()
    v: float = orm.field()


T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def ticks(influxdb_session: Session) -> Session:
    influxdb_session.write(
        [Tick(time=T0 + timedelta(seconds=i), tk="a", v=float(i)) for i in range(3)]
    )
    return influxdb_session


@pytest.mark.parametrize("target", ["x\\", "x\\\\", "a\nb", "#c", "\tt", "a\\,b", "n\x00"])
def test_an_unwritable_into_target_is_refused_before_sending(ticks: Session, target: str) -> None:
    before = ticks.show_measurements()
    with pytest.raises(orm.QueryBuildError):
        Tick.objects.using(ticks).aggregate(s=orm.Sum("v")).group_by("tk").into(target).execute()
    assert ticks.show_measurements() == before


@pytest.mark.parametrize("target", ["a b,c=d", 'q"uote', "x\\y", "ünï 😀", "semi;--"])
def test_an_odd_into_target_is_stored_under_exactly_that_name(ticks: Session, target: str) -> None:
    query = Tick.objects.using(ticks).aggregate(s=orm.Sum("v")).group_by("tk").into(target)
    assert query.execute() == 1
    assert target in ticks.show_measurements()
    assert ticks.show_tag_keys(target) == {target: ["tk"]}
