"""Stored points that lack a field the model declares: the declared default, or a clear
error naming the point; never an undeclared ``None`` in an attribute typed ``int``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

import influxorm as orm
from influxorm.testing import InfluxDBServer


class Strict(orm.Measurement, name="parcels"):
    time: int = orm.time()
    depot: str = orm.tag()
    weight: float = orm.field()
    size: int = orm.field()


class WithDefault(orm.Measurement, name="parcels"):
    time: int = orm.time()
    depot: str = orm.tag()
    weight: float = orm.field()
    size: int = orm.field(default=-1)


class Optional_(orm.Measurement, name="parcels"):
    time: int = orm.time()
    depot: str = orm.tag()
    weight: float = orm.field()
    size: int | None = orm.field(default=None)


class NeverWritten(orm.Measurement, name="parcels"):
    time: int = orm.time()
    depot: str = orm.tag()
    weight: float = orm.field()
    colour: str = orm.field()


@pytest.fixture(scope="module")
def parcels_session(influxdb_server: InfluxDBServer) -> Iterator[orm.Session]:
    name = f"mf_{uuid.uuid4().hex[:8]}"
    with orm.Session(
        influxdb_server.url,
        database=name,
        username=influxdb_server.username,
        password=influxdb_server.password,
    ) as parcels_session:
        parcels_session.create_database()
        # The second point was written without the size field (by another program).
        parcels_session.write(
            "parcels,depot=north weight=1.5,size=3i 1000\nparcels,depot=south weight=2.5 2000"
        )
        try:
            yield parcels_session
        finally:
            parcels_session.drop_database()


def test_a_required_field_a_point_lacks_is_an_error_naming_the_point(
    parcels_session: orm.Session,
) -> None:
    for read in (
        lambda: Strict.objects.using(parcels_session).fetch(),
        lambda: list(Strict.objects.using(parcels_session).iterate(chunk_size=1)),
        lambda: Strict.objects.using(parcels_session).order_by("-time").first(),
        lambda: parcels_session.fetch(Strict.objects),
    ):
        with pytest.raises(orm.ValidationError) as caught:
            read()
        assert str(caught.value) == (
            "Strict.size: the stored point at 1970-01-01T00:00:00.000002Z (depot='south') "
            "has no field 'size', which Strict declares without a default; to read such "
            "points declare `size: int | None = orm.field(default=None)` (or another default)"
        )
    # The points that have it are read as before.
    (north,) = Strict.objects.using(parcels_session).where(depot="north").fetch()
    assert (north.size, north.weight) == (3, 1.5)


def test_the_declared_default_fills_it(parcels_session: orm.Session) -> None:
    rows = WithDefault.objects.using(parcels_session).fetch()
    assert [(r.depot, r.size) for r in rows] == [("north", 3), ("south", -1)]
    rows_opt = Optional_.objects.using(parcels_session).fetch()
    assert [(r.depot, r.size) for r in rows_opt] == [("north", 3), ("south", None)]


def test_only_leaves_the_unselected_fields_out_on_purpose(parcels_session: orm.Session) -> None:
    rows = Strict.objects.using(parcels_session).only("weight").fetch()
    assert [(r.weight, r.size) for r in rows] == [(1.5, None), (2.5, None)]
    with pytest.raises(orm.ValidationError, match=r"^Strict\.size: the stored point at"):
        Strict.objects.using(parcels_session).only("weight", "size").fetch()


def test_a_field_never_written_is_an_error_too(parcels_session: orm.Session) -> None:
    with pytest.raises(orm.ValidationError, match=r"has no field 'colour'"):
        NeverWritten.objects.using(parcels_session).fetch()
