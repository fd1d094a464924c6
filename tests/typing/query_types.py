"""Checked by mypy --strict (see test_query_typing.py): what type checkers see of queries."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from typing import Any, assert_type

import influxorm as orm
from influxorm.session import AsyncSession, Session


class Side(Enum):
    BUY = "BUY"
    SELL = "SELL"


class Trade(orm.Measurement, name="trades"):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    side: Side = orm.tag()
    price: float = orm.field()


assert_type(Trade.objects, orm.Query[Trade])
assert_type(Trade.objects.where(side=Side.BUY, price__gt=100), orm.Query[Trade])
assert_type(Trade.objects.where(orm.Q(instrument="A") | ~orm.Q(instrument="B")), orm.Query[Trade])
assert_type(
    Trade.objects.exclude(instrument="X")
    .where(time__gte=orm.now() - timedelta(hours=1))
    .order_by("-time")
    .limit(10)
    .offset(1)
    .slimit(1)
    .soffset(0)
    .tz("UTC")
    .only("price")
    .group_by("instrument"),
    orm.Query[Trade],
)
assert_type(
    Trade.objects.aggregate(avg=orm.Mean("price")).group_by(orm.every("1h"), fill=None),
    orm.AggregateQuery[Trade],
)
assert_type(orm.Q(price__gt=1) & orm.Q(side=Side.BUY), orm.Q)
assert_type(Trade.objects.influxql, str)
assert_type(Trade.objects.params, dict[str, Any])


async def session_methods(session: AsyncSession) -> None:
    query = Trade.objects.where(instrument="AAPL")
    assert_type(await session.fetch(query), list[Trade])
    assert_type(await session.first(query), Trade | None)
    assert_type(await session.count(query), int)
    assert_type(await session.exists(query), bool)
    async for trade in session.iterate(query, chunk_size=100):
        assert_type(trade, Trade)
    aggregate = Trade.objects.aggregate(n=orm.Count("price"))
    assert_type(await session.fetch_rows(aggregate), list[dict[str, Any]])
    assert_type(await session.first_row(aggregate), dict[str, Any] | None)
    async for row in session.iterate_rows(aggregate, chunk_size=100):
        assert_type(row, dict[str, Any])


def blocking_session_methods(session: Session) -> None:
    query = Trade.objects.where(instrument="AAPL")
    assert_type(session.fetch(query), list[Trade])
    assert_type(session.first(query), Trade | None)
    assert_type(session.count(query), int)
    for trade in session.iterate(query, chunk_size=100):
        assert_type(trade, Trade)


trade = Trade(time=datetime(2024, 1, 2), instrument="AAPL", side=Side.BUY, price=1.5)
assert_type(trade, Trade)
assert_type(trade.price, float)
assert_type(trade.side, Side)
assert_type(trade.to_lineprotocol(), bytes)


class TradeBar(orm.Measurement, name="trade_bars"):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    avg: float = orm.field()


bars_cq = orm.ContinuousQuery(
    "trade_bars",
    Trade.objects.aggregate(avg=orm.Mean("price"))
    .group_by("instrument", orm.every("1m"))
    .into(TradeBar),
)


async def downsampling_methods(session: AsyncSession, blocking: Session) -> None:
    policies = [orm.RetentionPolicy("raw", "7d", default=True)]
    changes = await session.migrate(retention_policies=policies, continuous_queries=[bars_cq])
    assert_type(changes, list[orm.Change])
    assert_type(changes[0].statement, str)
    assert_type(blocking.migrate(continuous_queries=[bars_cq], dry_run=True), list[orm.Change])
    assert_type(await session.backfill(bars_cq, start=0, end=1, step="1h"), int)
    assert_type(blocking.backfill(bars_cq.query, start=0, end=1), int)
    assert_type(blocking.show_continuous_queries(), list[dict[str, str]])
