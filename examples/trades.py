"""The influxorm demo: model trades, write them, read them back, async and blocking.

Run it with ``make demo``: it starts a throwaway influxd (removed at the end), so it
needs nothing but ``influxd`` on PATH.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from enum import Enum

import influxorm as orm
from influxorm.testing import InfluxDBServer


class Side(Enum):
    BUY = "BUY"
    SELL = "SELL"


class Trade(orm.Measurement, name="trades"):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    side: Side = orm.tag()
    price: float = orm.field()
    size: int = orm.field()
    trade_id: str = orm.field()
    note: str | None = orm.field(default=None)


START = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)


def make_trades(count: int, *, first_id: int = 0) -> list[Trade]:
    """``count`` trades a second apart, alternating instruments and sides."""
    instruments = ("AAPL", "MSFT", "NVDA")
    return [
        Trade(
            time=START + timedelta(seconds=first_id + i),
            instrument=instruments[i % len(instruments)],
            side=Side.BUY if i % 2 == 0 else Side.SELL,
            price=round(100 + (first_id + i) * 0.25, 2),
            size=10 * (1 + i % 5),
            trade_id=f"t{first_id + i:05d}",
            note="opening auction" if first_id + i == 0 else None,
        )
        for i in range(count)
    ]


async def async_tour(url: str) -> None:
    async with orm.AsyncSession(url, database="market") as session:
        print(f"async: connected to InfluxDB {await session.ping()}")
        await session.create_database()
        written = await session.write(make_trades(300))
        print(f"async: wrote {written} trades")

        result = await session.query(
            "SELECT count(price) FROM trades GROUP BY instrument", epoch="s"
        )
        for series in result["results"][0]["series"]:
            print(f"async: {series['tags']['instrument']}: {series['values'][0][1]} trades")

        buys = await session.query(
            "SELECT price, size FROM trades WHERE side = $side AND price > $min LIMIT 3",
            params={"side": "BUY", "min": 150},
        )
        rows = buys["results"][0]["series"][0]["values"]
        print(f"async: first buys above 150 (bound parameters): {rows}")

        chunks = await session.query("SELECT * FROM trades", chunked=True, chunk_size=100)
        sizes = [len(chunk["results"][0]["series"][0]["values"]) async for chunk in chunks]
        print(f"async: streamed all trades in chunks of {sizes}")

        # The query builder: immutable, compiled to quoted InfluxQL + bound parameters.
        big_buys = (
            Trade.objects.where(side=Side.BUY, price__gt=150)
            .where(orm.Q(instrument="AAPL") | orm.Q(instrument="MSFT"))
            .order_by("-time")
            .limit(3)
        )
        print(f"async: query builder -> {big_buys.influxql}  params={big_buys.params}")
        for trade in await session.fetch(big_buys):
            print(
                f"async:   {trade.time:%H:%M:%S} {trade.instrument} {trade.side.name} "
                f"{trade.size} @ {trade.price}"
            )
        print(f"async: {await session.count(Trade.objects.where(instrument='NVDA'))} NVDA trades")

        async with session.writer(batch_size=1_000) as writer:
            for trade in make_trades(2_000, first_id=1_000):
                await writer.write(trade)
        print(f"async: bulk writer acknowledged {writer.progress.points_written} more trades")


def blocking_tour(url: str) -> None:
    with orm.Session(url, database="market") as session:
        written = session.write(make_trades(50, first_id=300))
        print(f"blocking: wrote {written} more trades")
        result = session.query("SELECT * FROM trades ORDER BY time DESC LIMIT 1", epoch=None)
        series = result["results"][0]["series"][0]
        latest = dict(zip(series["columns"], series["values"][0], strict=True))
        print(f"blocking: latest trade: {latest}")
        latest_aapl = Trade.objects.where(instrument="AAPL").order_by("-time").first()
        print(f"blocking: latest AAPL trade as a model instance: {latest_aapl}")

        volume = (
            Trade.objects.where(time__gte=START, time__lt=START + timedelta(hours=1))
            .aggregate(avg_price=orm.Mean("price"), volume=orm.Sum("size"))
            .group_by("instrument", orm.every("10m"), fill="none")
            .to_dataframe()
        )
        print("blocking: average price and volume per instrument and 10 minutes:")
        print(volume.to_string(max_rows=12))
        try:
            session.query("SELECT price FROM trades WHERE", epoch=None)
        except orm.QueryError as error:
            print(f"blocking: a bad statement raises QueryError: {error.server_message}")


def main() -> None:
    with InfluxDBServer() as server:
        print(f"started a throwaway influxd at {server.url} (files in {server.data_dir})")
        asyncio.run(async_tour(server.url))
        blocking_tour(server.url)
    print("stopped the server and removed its files")


if __name__ == "__main__":
    main()
