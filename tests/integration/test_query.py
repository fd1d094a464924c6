"""Query builder against the real influxd: each result equals the same filter in Python."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import Enum
from statistics import mean
from typing import Any

import pytest

import influxorm as orm
from influxorm.session import AsyncSession, Session


class Side(Enum):
    BUY = "BUY"
    SELL = "SELL"


class Trade(orm.Measurement, name="trades"):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    side: Side = orm.tag()
    source: str | None = orm.tag(default=None)
    price: float = orm.field()
    size: int = orm.field()
    trade_id: str = orm.field()
    note: str | None = orm.field(default=None)


class Other(orm.Measurement, name="other"):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    price: float = orm.field()


T0 = datetime(2024, 1, 1, tzinfo=UTC)
INSTRUMENTS = ("AAPL", "MSFT", "GOOG")


def _trades() -> list[Trade]:
    return [
        Trade(
            time=T0 + timedelta(minutes=7 * i),
            instrument=INSTRUMENTS[i % 3],
            side=Side.BUY if i % 2 else Side.SELL,
            source="DARK" if i % 5 == 0 else None,
            price=float(100 + (i * 37) % 50) + (0.25 if i % 4 else 0.0),
            size=(i * 13) % 20,
            trade_id=f"t{i:03d}",
            note="late fill" if i % 7 == 0 else None,
        )
        for i in range(60)
    ]


TRADES = _trades()


@pytest.fixture
def written(influxdb_session: Session) -> Session:
    influxdb_session.write(TRADES)
    influxdb_session.write([Other(time=T0, instrument="AAPL", price=1.0)])
    return influxdb_session


def _ids(trades: list[Trade]) -> list[str]:
    return [t.trade_id for t in trades]


def _expect(predicate: Callable[[Trade], bool]) -> list[Trade]:
    return [t for t in TRADES if predicate(t)]


LOOKUPS: list[tuple[dict[str, Any], Callable[[Trade], bool]]] = [
    ({"instrument": "AAPL"}, lambda t: t.instrument == "AAPL"),
    ({"side": Side.BUY}, lambda t: t.side is Side.BUY),
    ({"instrument__ne": "AAPL"}, lambda t: t.instrument != "AAPL"),
    ({"instrument__in": ["AAPL", "GOOG"]}, lambda t: t.instrument in ("AAPL", "GOOG")),
    ({"instrument__in": []}, lambda t: False),
    ({"instrument__regex": "^(AA|GO)"}, lambda t: re.match("^(AA|GO)", t.instrument) is not None),
    ({"source": "DARK"}, lambda t: t.source == "DARK"),
    ({"price": 125.0}, lambda t: t.price == 125.0),
    ({"price__ne": 125.0}, lambda t: t.price != 125.0),
    ({"price__gt": 130}, lambda t: t.price > 130),
    ({"price__gte": 130.25}, lambda t: t.price >= 130.25),
    ({"price__lt": 110.5}, lambda t: t.price < 110.5),
    ({"price__lte": 110.25}, lambda t: t.price <= 110.25),
    ({"size": 13}, lambda t: t.size == 13),
    ({"size__gt": 15}, lambda t: t.size > 15),
    ({"size__in": [0, 1, 2]}, lambda t: t.size in (0, 1, 2)),
    ({"trade_id__regex": "^t0[0-2]"}, lambda t: re.match("^t0[0-2]", t.trade_id) is not None),
    ({"trade_id__in": ["t001", "t059", "nope"]}, lambda t: t.trade_id in ("t001", "t059")),
    ({"note": "late fill"}, lambda t: t.note == "late fill"),
]


@pytest.mark.parametrize(("lookups", "predicate"), LOOKUPS, ids=[",".join(lk) for lk, _ in LOOKUPS])
def test_each_lookup_matches_python(
    written: Session, lookups: dict[str, Any], predicate: Callable[[Trade], bool]
) -> None:
    assert Trade.objects.where(**lookups).fetch() == _expect(predicate)


Q = orm.Q
COMBINATIONS: list[tuple[str, Callable[[], Any], Callable[[Trade], bool]]] = [
    (
        "or",
        lambda: Trade.objects.where(Q(instrument="AAPL") | Q(size__gt=15)),
        lambda t: t.instrument == "AAPL" or t.size > 15,
    ),
    (
        "and of ors",
        lambda: Trade.objects.where(
            (Q(instrument="AAPL") | Q(instrument="MSFT")) & (Q(side=Side.BUY) | Q(price__lt=110))
        ),
        lambda t: t.instrument in ("AAPL", "MSFT") and (t.side is Side.BUY or t.price < 110),
    ),
    (
        "not",
        lambda: Trade.objects.where(~(Q(instrument="AAPL") & Q(size__lt=10))),
        lambda t: not (t.instrument == "AAPL" and t.size < 10),
    ),
    (
        "exclude",
        lambda: Trade.objects.exclude(side=Side.BUY),
        lambda t: t.side is not Side.BUY,
    ),
    (
        "exclude two",
        lambda: Trade.objects.where(size__gte=5).exclude(instrument="GOOG", price__gt=120),
        lambda t: t.size >= 5 and not (t.instrument == "GOOG" and t.price > 120),
    ),
    (
        "exclude in",
        lambda: Trade.objects.exclude(instrument__in=["AAPL", "MSFT"]),
        lambda t: t.instrument not in ("AAPL", "MSFT"),
    ),
    (
        "time range",
        lambda: Trade.objects.where(
            time__gte=T0 + timedelta(minutes=70), time__lt=T0 + timedelta(minutes=140)
        ),
        lambda t: T0 + timedelta(minutes=70) <= t.time < T0 + timedelta(minutes=140),
    ),
    (
        "time range int ns and gt/lte",
        lambda: Trade.objects.where(
            time__gt=int(T0.timestamp()) * 10**9 + 70 * 60 * 10**9,
            time__lte=T0 + timedelta(minutes=140),
        ),
        lambda t: T0 + timedelta(minutes=70) < t.time <= T0 + timedelta(minutes=140),
    ),
    (
        "time eq",
        lambda: Trade.objects.where(time=T0 + timedelta(minutes=21)),
        lambda t: t.time == T0 + timedelta(minutes=21),
    ),
    (
        "relative time: everything is older than a day ago",
        lambda: Trade.objects.where(time__lt=orm.now() - timedelta(days=1)),
        lambda t: True,
    ),
    (
        "relative time: nothing is newer than an hour ago",
        lambda: Trade.objects.where(time__gte=orm.now() - "1h"),
        lambda t: False,
    ),
]


@pytest.mark.parametrize(
    ("build", "predicate"), [pytest.param(b, p, id=i) for i, b, p in COMBINATIONS]
)
def test_combinations_match_python(
    written: Session, build: Callable[[], Any], predicate: Callable[[Trade], bool]
) -> None:
    assert build().fetch() == _expect(predicate)


def test_order_limit_offset(written: Session) -> None:
    newest = list(reversed(TRADES))
    assert Trade.objects.order_by("-time").limit(5).fetch() == newest[:5]
    assert Trade.objects.order_by("-time").limit(5).offset(3).fetch() == newest[3:8]
    assert Trade.objects.limit(4).offset(58).fetch() == TRADES[58:]
    aapl = _expect(lambda t: t.instrument == "AAPL")
    assert Trade.objects.where(instrument="AAPL").offset(2).limit(3).fetch() == aapl[2:5]


def test_group_by_tag_with_slimit_soffset(written: Session) -> None:
    per_series = Trade.objects.group_by("instrument").limit(2).fetch()
    assert sorted(_ids(per_series)) == sorted(
        _ids([t for name in INSTRUMENTS for t in _expect(lambda t, n=name: t.instrument == n)[:2]])
    )
    one_series = Trade.objects.group_by("instrument").slimit(1).soffset(1).fetch()
    assert len({t.instrument for t in one_series}) == 1


def test_first_count_exists(written: Session) -> None:
    assert Trade.objects.first() == TRADES[0]
    assert Trade.objects.order_by("-time").first() == TRADES[-1]
    assert Trade.objects.where(instrument="NONE").first() is None
    assert Trade.objects.count() == len(TRADES)
    assert Trade.objects.where(side=Side.BUY).count() == len(_expect(lambda t: t.side is Side.BUY))
    assert Trade.objects.limit(10).offset(55).count() == 5
    assert Trade.objects.group_by("instrument").limit(3).count() == 9
    assert Trade.objects.where(size__gt=100).count() == 0
    assert Trade.objects.exists() is True
    assert Trade.objects.where(trade_id="t999").exists() is False


def test_only_reads_some_columns(written: Session) -> None:
    rows = Trade.objects.only("price", "instrument").limit(2).fetch()
    assert [(r.price, r.instrument) for r in rows] == [(t.price, t.instrument) for t in TRADES[:2]]
    assert all(r.trade_id is None for r in rows)


def test_aggregates_group_by_tag(written: Session) -> None:
    rows = (
        Trade.objects.aggregate(avg=orm.Mean("price"), volume=orm.Sum("size"), n=orm.Count("price"))
        .group_by("instrument")
        .fetch()
    )
    expected = {
        name: (
            mean(t.price for t in TRADES if t.instrument == name),
            sum(t.size for t in TRADES if t.instrument == name),
            sum(1 for t in TRADES if t.instrument == name),
        )
        for name in INSTRUMENTS
    }
    got = {r["instrument"]: (r["avg"], r["volume"], r["n"]) for r in rows}
    assert got.keys() == expected.keys()
    for name, (avg, volume, n) in expected.items():
        assert got[name][0] == pytest.approx(avg)
        assert got[name][1:] == (volume, n)


def test_aggregate_rows_restore_enum_tags(written: Session) -> None:
    rows = Trade.objects.aggregate(n=orm.Count("price")).group_by("side").fetch()
    assert {r["side"]: r["n"] for r in rows} == {
        side: sum(t.side is side for t in TRADES) for side in Side
    }
    first = Trade.objects.aggregate(n=orm.Count("price")).group_by("side").first()
    assert first is not None
    assert first["side"] in set(Side)


def test_bad_chunk_size_is_refused_before_sending(written: Session) -> None:
    with pytest.raises(orm.QueryBuildError, match="chunk_size"):
        Trade.objects.iterate(chunk_size=0)


def test_aggregates_group_by_time_with_fill(written: Session) -> None:
    start, end = T0, T0 + timedelta(hours=2)
    query = (
        Trade.objects.where(time__gte=start, time__lt=end, instrument="AAPL")
        .aggregate(top=orm.Max("price"))
        .group_by("instrument", orm.every("20m"), fill=-1)
    )
    rows = query.fetch()
    expected = []
    for k in range(6):
        lo, hi = start + timedelta(minutes=20 * k), start + timedelta(minutes=20 * (k + 1))
        prices = [t.price for t in TRADES if t.instrument == "AAPL" and lo <= t.time < hi]
        expected.append((int(lo.timestamp()) * 10**9, max(prices) if prices else -1))
    assert [(r["time"], r["top"]) for r in rows] == expected
    assert {r["instrument"] for r in rows} == {"AAPL"}
    frame = query.to_dataframe()
    assert list(frame["top"]) == [v for _, v in expected]
    assert str(frame.index.tz) == "UTC"


def test_selectors_and_transformations(written: Session) -> None:
    aapl = _expect(lambda t: t.instrument == "AAPL")
    rows = (
        Trade.objects.where(instrument="AAPL")
        .aggregate(p=orm.Percentile("price", 100), low=orm.Min("price"))
        .fetch()
    )
    assert (rows[0]["p"], rows[0]["low"]) == (
        max(t.price for t in aapl),
        min(t.price for t in aapl),
    )
    top = Trade.objects.where(instrument="AAPL").aggregate(top=orm.Top("price", 2)).fetch()
    assert sorted(r["top"] for r in top) == sorted(t.price for t in aapl)[-2:]
    # first() of a top(n > 1): influxd refuses LIMIT 1 below the count; the first row.
    first = Trade.objects.where(instrument="AAPL").aggregate(top=orm.Top("price", 2)).first()
    assert first == top[0]
    # top(field, tag, n): the greatest value per distinct tag; an Enum tag comes back
    # as its member, as GROUP BY tags do.
    per_side = Trade.objects.aggregate(best=orm.Top("price", 2, tags=("side",))).fetch()
    assert {row["side"]: row["best"] for row in per_side} == {
        side: max(t.price for t in _expect(lambda t, side=side: t.side is side))
        for side in {t.side for t in _expect(lambda t: True)}
    }
    assert len(per_side) == 2
    assert all(type(row["side"]) is Side for row in per_side)
    diffs = Trade.objects.where(instrument="AAPL").aggregate(d=orm.Difference("size")).fetch()
    assert [r["d"] for r in diffs] == [b.size - a.size for a, b in itertools.pairwise(aapl)]


def test_iterate_in_chunks_smaller_than_the_result(written: Session) -> None:
    streamed = list(Trade.objects.where(side=Side.SELL).iterate(chunk_size=7))
    assert streamed == _expect(lambda t: t.side is Side.SELL)
    rows = list(
        Trade.objects.aggregate(s=orm.Sum("size")).group_by("instrument").iterate(chunk_size=1)
    )
    assert sorted(r["instrument"] for r in rows) == sorted(INSTRUMENTS)


def test_to_dataframe(written: Session) -> None:
    frame = Trade.objects.where(instrument="MSFT").to_dataframe()
    msft = _expect(lambda t: t.instrument == "MSFT")
    assert list(frame["trade_id"]) == _ids(msft)
    assert frame["price"].dtype == "float64"
    assert list(frame["price"]) == [t.price for t in msft]
    assert str(frame.index.tz) == "UTC"


def test_delete(written: Session) -> None:
    Trade.objects.where(instrument="AAPL", time__lt=T0 + timedelta(hours=1)).delete()
    assert Trade.objects.fetch() == _expect(
        lambda t: not (t.instrument == "AAPL" and t.time < T0 + timedelta(hours=1))
    )
    Trade.objects.exclude(side=Side.BUY).delete()
    assert Trade.objects.fetch() == _expect(
        lambda t: (
            t.side is Side.BUY and not (t.instrument == "AAPL" and t.time < T0 + timedelta(hours=1))
        )
    )
    assert Other.objects.count() == 1


def test_select_into(written: Session) -> None:
    written_points = Trade.objects.where(instrument="GOOG").into("trades_copy").execute()
    goog = _expect(lambda t: t.instrument == "GOOG")
    assert written_points == len(goog)
    raw = written.query('SELECT * FROM "trades_copy" GROUP BY *')
    tags = {tuple(sorted(s["tags"].items())) for s in raw["results"][0]["series"]}
    assert {dict(t)["instrument"] for t in tags} == {"GOOG"}


async def test_async_session(influxdb_async_session: AsyncSession) -> None:
    await influxdb_async_session.write(TRADES)
    assert await Trade.objects.where(size__lt=5).fetch() == _expect(lambda t: t.size < 5)
    assert await Trade.objects.count() == len(TRADES)
    assert await Trade.objects.order_by("-time").first() == TRADES[-1]
    streamed = [t async for t in Trade.objects.iterate(chunk_size=11)]
    assert streamed == TRADES
    typed: list[Trade] = await influxdb_async_session.fetch(Trade.objects.limit(1))
    assert typed == TRADES[:1]


def test_using_names_the_session(written: Session) -> None:
    query = Trade.objects.where(instrument="AAPL").using(written)
    assert query.count() == 20
