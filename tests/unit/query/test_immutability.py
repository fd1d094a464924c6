"""Deriving a query never changes the query it came from."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import pytest
from query_models import Side, Trade

import influxorm as orm

DERIVATIONS: list[tuple[str, Any]] = [
    ("where", lambda q: q.where(side=Side.SELL)),
    ("exclude", lambda q: q.exclude(source="DARK")),
    ("only", lambda q: q.only("price")),
    ("order_by", lambda q: q.order_by("time")),
    ("limit", lambda q: q.limit(1)),
    ("offset", lambda q: q.offset(2)),
    ("slimit", lambda q: q.slimit(3)),
    ("soffset", lambda q: q.soffset(4)),
    ("tz", lambda q: q.tz("UTC")),
    ("using", lambda q: q.using(None)),
    ("group_by", lambda q: q.group_by("side")),
    ("aggregate", lambda q: q.aggregate(avg=orm.Mean("price"))),
    ("into", lambda q: q.into("copy")),
]


def _base() -> orm.Query[Trade]:
    return (
        Trade.objects.where(instrument="AAPL", time__gte=orm.now() - timedelta(days=1))
        .order_by("-time")
        .limit(10)
        .group_by("instrument")
    )


@pytest.mark.parametrize(("derive"), [pytest.param(d, id=i) for i, d in DERIVATIONS])
def test_deriving_leaves_the_source_unchanged(derive: Any) -> None:
    source = _base()
    before = (source.influxql, source.params, attrs.asdict(source, recurse=False))
    derived = derive(source)
    assert derived is not source
    assert (source.influxql, source.params, attrs.asdict(source, recurse=False)) == before


def test_queries_are_frozen_values() -> None:
    query = _base()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        query._limit = 3  # type: ignore[misc]
    assert query == _base()
    assert hash(query) == hash(_base())


def test_objects_is_fresh_on_every_access() -> None:
    assert Trade.objects is not Trade.objects
    assert Trade.objects == Trade.objects


def test_q_combinators_return_new_objects() -> None:
    a, b = orm.Q(instrument="A"), orm.Q(size__gt=1)
    combined = ~(a | b) & a
    assert a == orm.Q(instrument="A")
    assert b == orm.Q(size__gt=1)
    assert not a.negated
    assert combined.children[1] is a


def test_objects_on_an_instance_is_refused() -> None:
    with pytest.raises(AttributeError):
        Trade(  # noqa: B018
            time=0, instrument="A", side=Side.BUY, price=1.0, size=1, trade_id="x"
        ).objects


@pytest.mark.parametrize("zone", ["A" * 20_000, "../../etc/passwd", "a\x00b", 5])
def test_tz_refuses_names_zoneinfo_cannot_load_with_a_query_build_error(zone: object) -> None:
    """A 20,000-character name made zoneinfo raise a bare OSError (file name too long)."""
    from influxorm.exceptions import QueryBuildError

    with pytest.raises(QueryBuildError, match="unknown time zone"):
        Trade.objects.tz(zone)  # type: ignore[arg-type]
