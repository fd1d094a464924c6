"""aioinflux's datapoint examples and options, written through the compat client to influxd."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import pytest

import influxorm as orm
from influxorm.aioinflux import CompatWarning, DataPoint, InfluxDBClient, InfluxType, datapoint


@pytest.fixture
def client(influxdb_url: str, influxdb_database: str) -> Iterator[InfluxDBClient]:
    parts = urlsplit(influxdb_url)
    c = InfluxDBClient(
        parts.hostname or "localhost", parts.port or 8086, db=influxdb_database, mode="blocking"
    )
    yield c
    c.close()


@datapoint
class Trade:
    timestamp: InfluxType.TIMEINT
    instrument: InfluxType.TAGENUM
    source: InfluxType.TAG
    side: InfluxType.TAG
    price: InfluxType.FLOAT
    size: InfluxType.INT
    trade_id: InfluxType.STR


class Instrument(enum.Enum):
    AAPL = 1
    MSFT = 2


class Side(enum.Enum):
    BUY = "b"
    SELL = "s"


def _rows(client: InfluxDBClient, q: str) -> list[dict[str, Any]]:
    client.output = "iterable"
    try:
        return list(
            client.query(q, parser=lambda x, meta: dict(zip(meta["columns"], x, strict=False)))
        )
    finally:
        client.output = "json"


def test_trade_keyword_and_positional(client: InfluxDBClient) -> None:
    trade = Trade(
        timestamp=1540184368785116000,
        instrument="AAPL",
        source="NASDAQ",
        side="BUY",
        price=219.23,
        size=100,
        trade_id="34a1e085-3122-429c-9662-7ce82039d287",
    )
    assert trade.price == 219.23
    assert trade["price"] == 219.23
    assert isinstance(trade, DataPoint)
    assert isinstance(trade, orm.Measurement)
    # aioinflux's argument order: time, tags, TAGENUM, then fields by type (INT before FLOAT).
    assert list(trade) == ["timestamp", "source", "side", "instrument", "size", "price", "trade_id"]
    same = Trade(1540184368785116000, "NASDAQ", "BUY", "AAPL", 100, 219.23, trade.trade_id)
    assert same == trade
    assert dict(trade.items()) == trade.to_dict()
    assert trade.to_lineprotocol() == (
        b"Trade,instrument=AAPL,side=BUY,source=NASDAQ size=100i,price=219.23,"
        b'trade_id="34a1e085-3122-429c-9662-7ce82039d287" 1540184368785116000'
    )
    # The user guide's positional call puts a str in the INT column: aioinflux sent
    # `size=BUYi` to the server; influxorm refuses it before sending.
    bad = Trade(1540184368785116000, "APPL", "NASDAQ", "BUY", 219.23, 100, "x")
    with pytest.raises(orm.ValidationError):
        client.write(bad)
    assert client.write([trade, same]) is True
    assert _rows(client, "SELECT * FROM Trade") == [
        {
            "time": 1540184368785116000,
            "instrument": "AAPL",
            "price": 219.23,
            "side": "BUY",
            "size": 100,
            "source": "NASDAQ",
            "trade_id": trade.trade_id,
        }
    ]


def test_functional_form_and_enums(client: InfluxDBClient) -> None:
    Functional = datapoint(
        {
            "timestamp": InfluxType.TIMEINT,
            "instrument": InfluxType.TAGENUM,
            "kind": InfluxType.ENUM,
            "price": InfluxType.FLOAT,
        },
        name="Functional",
    )
    p = Functional(timestamp=1, instrument=Instrument.MSFT, kind=Side.SELL, price=1)
    # aioinflux stored an Enum member's name, for tags and fields.
    assert p.instrument == "MSFT"
    assert p.kind == "SELL"
    assert p.price == 1.0
    client.write(p)
    assert _rows(client, "SELECT * FROM Functional") == [
        {"time": 1, "instrument": "MSFT", "kind": "SELL", "price": 1.0}
    ]


def test_time_kinds(client: InfluxDBClient) -> None:
    S = datapoint({"t": InfluxType.TIMESTR, "v": InfluxType.INT}, name="S")
    D = datapoint({"t": InfluxType.TIMEDT, "v": InfluxType.INT}, name="D")
    client.write(
        [
            S("2009-11-10T23:00:00.123456789Z", 1),
            D(datetime(2009, 11, 10, 23, tzinfo=UTC), 2),
        ]
    )
    client.write(D(pd.Timestamp("2009-11-10T23:00:00.000000001Z"), 3))
    with pytest.warns(CompatWarning, match="naive"):
        naive = D(datetime(2009, 11, 10, 23, 0, 1), 4)
    client.write(naive)
    assert [r["time"] for r in _rows(client, "SELECT * FROM S")] == [1257894000123456789]
    assert [(r["time"], r["v"]) for r in _rows(client, "SELECT * FROM D")] == [
        (1257894000000000000, 2),
        (1257894000000000001, 3),
        (1257894001000000000, 4),
    ]


def test_placeholder_measurement_and_extra_tags(client: InfluxDBClient) -> None:
    Event = datapoint(
        {
            "m": InfluxType.MEASUREMENT,
            "t": InfluxType.TIMEINT,
            "host": InfluxType.TAG,
            "present": InfluxType.PLACEHOLDER,
        },
        name="Event",
        extra_tags={"region": "eu"},
    )
    e = Event("events_a", 5, "h1")
    assert e.present is True
    assert e.m == "events_a"
    assert e.to_dict() == {"m": "events_a", "t": 5, "host": "h1", "present": True, "region": "eu"}
    f = Event(m="events_b", t=6, host="h2")
    client.write([e, f])
    assert _rows(client, "SELECT * FROM events_a") == [
        {"time": 5, "host": "h1", "present": True, "region": "eu"}
    ]
    assert _rows(client, "SELECT * FROM events_b")[0]["host"] == "h2"
    with pytest.raises(TypeError):
        Event("x", 1, "h", True, 5)


def test_rm_none_and_fill_none(client: InfluxDBClient) -> None:
    Sparse = datapoint(
        {
            "t": InfluxType.TIMEINT,
            "host": InfluxType.TAG,
            "a": InfluxType.FLOAT,
            "b": InfluxType.STR,
        },
        name="Sparse",
        rm_none=True,
        fill_none=True,
    )
    client.write([Sparse(t=1, a=1.5), Sparse(t=2, host="h", b="x")])
    assert _rows(client, "SELECT * FROM Sparse") == [
        {"time": 1, "a": 1.5, "b": None, "host": None},
        {"time": 2, "a": None, "b": "x", "host": "h"},
    ]
    Strict = datapoint(
        {"t": InfluxType.TIMEINT, "a": InfluxType.FLOAT, "b": InfluxType.STR}, name="Strict"
    )
    with pytest.raises(TypeError):
        Strict(t=1, a=1.0)
    # aioinflux without rm_none wrote b="None" (a string it was never given): warned, left out.
    with pytest.warns(CompatWarning, match="None"):
        client.write(Strict(1, 2.0, None))
    assert _rows(client, "SELECT * FROM Strict") == [{"time": 1, "a": 2.0}]


def test_schema_errors() -> None:
    with pytest.raises(TypeError):
        datapoint(
            {"t": InfluxType.TIMEINT, "u": InfluxType.TIMESTR, "v": InfluxType.INT}, name="Two"
        )
    with pytest.raises(TypeError):
        datapoint({"t": InfluxType.TIMEINT, "host": InfluxType.TAG}, name="NoField")
    with pytest.raises(TypeError):
        datapoint({"v": int}, name="NotInfluxType")
