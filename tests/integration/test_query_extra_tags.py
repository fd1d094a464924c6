"""Models sharing one measurement, told apart by their ``extra_tags``, against influxd.

Two models write into ``cpu`` with different constant ``region`` tags, and a third
writer leaves the tag out. Each filtered query returns exactly the points the same
filter selects in Python; InfluxQL reads a missing tag as ``""``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from statistics import mean
from typing import Any

import pytest

import influxorm as orm
from influxorm.models.schema import schema_of
from influxorm.session import AsyncSession, Session


class CpuEu(orm.Measurement, name="cpu", extra_tags={"region": "eu-west"}):
    time: datetime = orm.time()
    host: str = orm.tag()
    usage: float = orm.field(name="usage_percent")


class CpuUs(orm.Measurement, name="cpu", extra_tags={"region": "us-east", "team": "b"}):
    time: datetime = orm.time()
    host: str = orm.tag()
    usage: float = orm.field(name="usage_percent")


class CpuAny(orm.Measurement, name="cpu"):
    """A producer that writes no region tag."""

    time: datetime = orm.time()
    host: str = orm.tag()
    usage: float = orm.field(name="usage_percent")


T0 = datetime(2024, 3, 1, tzinfo=UTC)
Point = tuple[str, CpuEu | CpuUs | CpuAny]  # (region as InfluxQL reads it, point)


def _points() -> list[Point]:
    out: list[Point] = []
    for i in range(30):  # one distinct time per point: a single, time-ordered result
        time = T0 + timedelta(seconds=i)
        host = "abc"[i % 3]
        usage = float(i * 7 % 23) + 0.5
        if i % 3 == 0:
            out.append(("eu-west", CpuEu(time=time, host=host, usage=usage)))
        elif i % 3 == 1:
            out.append(("us-east", CpuUs(time=time, host=host, usage=usage)))
        elif i % 2:
            out.append(("", CpuAny(time=time, host=host, usage=usage)))
        else:
            out.append(("eu-west", CpuEu(time=time, host=host, usage=usage + 100)))
    return out


POINTS = _points()
EU = [p for region, p in POINTS if region == "eu-west"]
US = [p for region, p in POINTS if region == "us-east"]


@pytest.fixture
def written(influxdb_session: Session) -> Session:
    influxdb_session.write([p for _, p in POINTS])
    return influxdb_session


def _key(p: Any) -> tuple[datetime, str, float]:
    return (p.time, p.host, p.usage)


def test_each_model_filtered_reads_exactly_its_points(written: Session) -> None:
    for model, region, mine in ((CpuEu, "eu-west", EU), (CpuUs, "us-east", US)):
        qs = model.objects.where(region=region)
        fetched = qs.fetch()
        assert fetched == mine
        assert all(type(p) is model and not hasattr(p, "region") for p in fetched)
        assert qs.count() == len(mine)
        assert [_key(p) for p in qs.iterate(chunk_size=4)] == [_key(p) for p in mine]
        frame = qs.to_dataframe()
        # The model's own constant tags are dropped; other tags of the measurement stay.
        own = {key for key, _ in schema_of(model).extra_tags}
        assert {"host", "usage"} <= set(frame.columns)
        assert not own & set(frame.columns)
        assert frame["usage"].tolist() == [p.usage for p in mine]
    assert CpuUs.objects.where(team="b").count() == len(US)


def test_no_implicit_filter(written: Session) -> None:
    """``Model.objects`` reads the whole measurement, whoever wrote it."""
    assert CpuEu.objects.count() == CpuUs.objects.count() == len(POINTS)
    assert [_key(p) for p in CpuEu.objects.fetch()] == [_key(p) for _, p in POINTS]


Q = orm.Q
LOOKUPS: list[tuple[str, Callable[[], Any], Callable[[str, Any], bool]]] = [
    ("eq", lambda: CpuEu.objects.where(region="eu-west"), lambda r, p: r == "eu-west"),
    (
        "ne: a missing tag differs",
        lambda: CpuEu.objects.where(region__ne="eu-west"),
        lambda r, p: r != "eu-west",
    ),
    ("eq empty: the tag is missing", lambda: CpuEu.objects.where(region=""), lambda r, p: r == ""),
    (
        "in",
        lambda: CpuEu.objects.where(region__in=["us-east", "nowhere"]),
        lambda r, p: r == "us-east",
    ),
    ("in empty", lambda: CpuEu.objects.where(region__in=[]), lambda r, p: False),
    ("regex", lambda: CpuEu.objects.where(region__regex="^(eu|us)-"), lambda r, p: r != ""),
    (
        "regex compiled, flags",
        lambda: CpuEu.objects.where(region__regex=re.compile("EAST$", re.I)),
        lambda r, p: r == "us-east",
    ),
    ("exclude", lambda: CpuEu.objects.exclude(region="us-east"), lambda r, p: r != "us-east"),
    (
        "exclude in",
        lambda: CpuEu.objects.exclude(region__in=["us-east", "eu-west"]),
        lambda r, p: r == "",
    ),
    (
        "Q or with a declared tag",
        lambda: CpuEu.objects.where(Q(region="us-east") | Q(host="a")),
        lambda r, p: r == "us-east" or p.host == "a",
    ),
    (
        "not (and) with a field",
        lambda: CpuEu.objects.where(~(Q(region="eu-west") & Q(usage__gt=50))),
        lambda r, p: not (r == "eu-west" and p.usage > 50),
    ),
    (
        "hostile value matches nothing",
        lambda: CpuEu.objects.where(region="x' OR 1=1 --"),
        lambda r, p: False,
    ),
]


@pytest.mark.parametrize(("build", "predicate"), [pytest.param(b, p, id=i) for i, b, p in LOOKUPS])
def test_lookups_match_python(
    written: Session, build: Callable[[], Any], predicate: Callable[[str, Any], bool]
) -> None:
    expected = [_key(p) for region, p in POINTS if predicate(region, p)]
    assert [_key(p) for p in build().fetch()] == expected


def test_group_by_extra_tag_in_an_aggregate(written: Session) -> None:
    rows = (
        CpuEu.objects.aggregate(n=orm.Count("usage"), avg=orm.Mean("usage"))
        .group_by("region")
        .fetch()
    )
    expected = {
        region: [p.usage for r, p in POINTS if r == region] for region in ("", "eu-west", "us-east")
    }
    assert {row["region"]: (row["n"], row["avg"]) for row in rows} == {
        region: (len(usages), pytest.approx(mean(usages))) for region, usages in expected.items()
    }
    assert all(row["time"] == 0 for row in rows)

    frame = (
        CpuUs.objects.where(region__ne="")
        .aggregate(top=orm.Max("usage"))
        .group_by("region", "host")
        .to_dataframe()
    )
    got = {(r, h): top for r, h, top in frame[["region", "host", "top"]].itertuples(index=False)}
    pairs = {(r, p.host) for r, p in POINTS if r}
    assert got == {pair: max(p.usage for r, p in POINTS if (r, p.host) == pair) for pair in pairs}


def test_top_per_extra_tag(written: Session) -> None:
    """top(field, tag, n): the greatest values for distinct values of an extra tag."""
    rows = CpuEu.objects.aggregate(best=orm.Top("usage", 3, tags=("region",))).fetch()
    per_region: dict[str, float] = {}
    for region, point in POINTS:
        per_region[region] = max(per_region.get(region, float("-inf")), point.usage)
    # Points written without the tag come back with region None (null), not "".
    got = sorted((row["region"] or "", row["best"]) for row in rows)
    assert got == sorted(per_region.items())


def test_group_by_extra_tag_in_a_row_query(written: Session) -> None:
    """Per-series limits apply per region; instances still have no region attribute."""
    firsts = CpuEu.objects.group_by("region").limit(1).fetch()
    assert sorted(_key(p) for p in firsts) == sorted(
        _key(next(p for r, p in POINTS if r == region)) for region in ("", "eu-west", "us-east")
    )
    assert not any(hasattr(p, "region") for p in firsts)


def test_delete_scoped_by_extra_tag(written: Session) -> None:
    CpuUs.objects.where(region="us-east").delete()
    assert CpuUs.objects.where(region="us-east").count() == 0
    assert CpuEu.objects.where(region="eu-west").fetch() == EU
    assert CpuAny.objects.count() == len(POINTS) - len(US)


async def test_async_session(influxdb_async_session: AsyncSession) -> None:
    await influxdb_async_session.write([p for _, p in POINTS])
    qs = CpuUs.objects.where(region="us-east")
    assert await qs.fetch() == US
    assert await influxdb_async_session.count(qs) == len(US)
    rows = await CpuUs.objects.aggregate(n=orm.Count("usage")).group_by("team").fetch()
    assert {row["team"]: row["n"] for row in rows} == {"": len(POINTS) - len(US), "b": len(US)}
