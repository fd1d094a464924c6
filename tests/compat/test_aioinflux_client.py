"""The aioinflux 0.4 user guide's examples, run through influxorm.aioinflux against influxd."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pytest

import influxorm as orm
from influxorm.aioinflux import (
    CompatWarning,
    InfluxDBChunkedResult,
    InfluxDBClient,
    InfluxDBError,
    InfluxDBResult,
    InfluxDBWriteError,
    iterpoints,
)

POINT = {
    "time": "2009-11-10T23:00:00Z",
    "measurement": "cpu_load_short",
    "tags": {"host": "server01", "region": "us-west"},
    "fields": {"value": 0.64},
}


@pytest.fixture
def client(influxdb_url: str, influxdb_database: str) -> Iterator[InfluxDBClient]:
    parts = urlsplit(influxdb_url)
    c = InfluxDBClient(
        parts.hostname or "localhost", parts.port or 8086, db=influxdb_database, mode="blocking"
    )
    yield c
    c.mode = "blocking"
    c.close()


def _h2o(client: InfluxDBClient) -> None:
    lines = [
        "h2o_quality,location=coyote_creek,randtag=1 index=41i 1439856000000000000",
        "h2o_quality,location=santa_monica,randtag=2 index=99i 1439856000000000000",
        "h2o_quality,location=coyote_creek,randtag=3 index=11i 1439856360000000000",
        "h2o_quality,location=santa_monica,randtag=2 index=56i 1439856360000000000",
        "h2o_quality,location=santa_monica,randtag=3 index=65i 1439856720000000000",
    ]
    assert client.write("\n".join(lines)) is True


def test_tldr_async(client: InfluxDBClient, influxdb_database: str) -> None:
    async def main() -> dict:
        async with InfluxDBClient(
            client._url.split("//")[1].split(":")[0],
            int(client._url.rsplit(":", 1)[1]),
            db=influxdb_database,
        ) as c:
            await c.create_database(db=influxdb_database)
            assert await c.write(POINT) is True
            return await c.query("SELECT value FROM cpu_load_short")

    resp = asyncio.run(main())
    series = resp["results"][0]["series"][0]
    assert series["columns"] == ["time", "value"]
    assert series["values"] == [[1257894000000000000, 0.64]]


def test_blocking_mode_inside_running_loop(client: InfluxDBClient) -> None:
    async def main() -> dict:
        # aioinflux's blocking mode failed here (run_until_complete on a running loop).
        assert client.ping()["X-Influxdb-Version"]
        assert client.write(POINT) is True
        return client.query("SELECT value FROM cpu_load_short")

    resp = asyncio.run(main())
    assert resp["results"][0]["series"][0]["values"] == [[1257894000000000000, 0.64]]


async def test_mode_switch_on_the_fly(client: InfluxDBClient) -> None:
    client.write(POINT)
    client.mode = "async"
    coro = client.query("SELECT value FROM cpu_load_short")
    assert asyncio.iscoroutine(coro)
    assert (await coro)["results"][0]["series"][0]["values"][0][1] == 0.64
    client.mode = "blocking"
    assert client.query("SELECT count(value) FROM cpu_load_short")["results"][0]["series"]
    with pytest.raises(ValueError):
        client.mode = "sync"
    client.mode = "async"
    await client.close()


def test_write_dict_types_and_measurement_default(client: InfluxDBClient) -> None:
    point = {
        "time": "2009-11-10T23:00:00Z",
        "tags": {"host": "server01", "region": "us-west"},
        "fields": {"value1": 0.64, "value2": True, "value3": 10, "value4": "text"},
    }
    assert client.write([point, dict(point, time="2009-11-10T23:00:01Z")], measurement="m") is True
    resp = client.query("SELECT * FROM m")
    series = resp["results"][0]["series"][0]
    assert series["columns"] == ["time", "host", "region", "value1", "value2", "value3", "value4"]
    assert series["values"][0] == [
        1257894000000000000,
        "server01",
        "us-west",
        0.64,
        True,
        10,
        "text",
    ]


def test_lenient_dicts_warn(client: InfluxDBClient) -> None:
    point = {
        "measurement": "lenient",
        "time": datetime(2020, 1, 1),  # naive: UTC
        "tags": {"host": "a", "empty": "", "none": None, 5: 7},
        "fields": {1: 1.5},
        "extra": "ignored",
    }
    with pytest.warns(CompatWarning) as record:
        client.write(point)
    text = " ".join(str(w.message) for w in record)
    for expected in (
        "no timezone",
        "'empty'",
        "'none'",
        "non-str tag key 5",
        "ignored",
        "field key 1",
    ):
        assert expected in text
    resp = client.query("SELECT * FROM lenient")
    series = resp["results"][0]["series"][0]
    assert series["columns"] == ["time", "1", "5", "host"]
    assert series["values"] == [[1577836800000000000, 1.5, "7", "a"]]


def test_native_api_stays_strict(influxdb_session: orm.Session) -> None:
    with pytest.raises(orm.ValidationError):
        influxdb_session.write({"measurement": "m", "fields": {"v": 1}, "extra": 1})


def test_write_strings_bytes_and_precision(client: InfluxDBClient) -> None:
    assert client.write("lp,t=a v=1i 1500000000", precision="s") is True
    assert client.write(b"lp,t=b v=2i 1500000001000", precision="ms") is True
    assert client.write(
        {"measurement": "lp", "tags": {"t": "c"}, "fields": {"v": 3}, "time": 1500000002},
        precision="s",
    )
    resp = client.query("SELECT v FROM lp", epoch="s")
    assert resp["results"][0]["series"][0]["values"] == [
        [1500000000, 1],
        [1500000001, 2],
        [1500000002, 3],
    ]


def test_write_error_is_both_kinds(client: InfluxDBClient) -> None:
    client.write("conflict v=1i 1")
    with pytest.raises(InfluxDBWriteError) as info:
        client.write('conflict v="text" 2')
    assert isinstance(info.value, orm.WriteError)
    assert isinstance(info.value, InfluxDBError)
    assert info.value.status == 400
    with pytest.raises(orm.QueryError):
        client.query("SELECT * FROM")
    with pytest.raises(InfluxDBError):
        client.query("SELECT * FROM")


def _frame() -> pd.DataFrame:
    index = pd.date_range("2017-06-24 08:45:17.929097+00:00", periods=5, freq="90min")
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.normal(size=(5, 3)), index=index, columns=["LUY", "BEM", "AJW"])
    df["tag"] = ["B", "E", "B", "D", "E"]
    return df


def test_dataframe_write_and_output(client: InfluxDBClient) -> None:
    df = _frame()
    assert client.write(df, measurement="prices", tag_columns=["tag"], asset_class="equities")
    client.output = "dataframe"
    out = client.query("SELECT * FROM prices")
    assert isinstance(out, pd.DataFrame)
    assert list(out.index) == list(df.index)
    assert set(out["asset_class"]) == {"equities"}
    np.testing.assert_allclose(out["LUY"].to_numpy(), df["LUY"].to_numpy())
    grouped = client.query('SELECT LUY FROM prices GROUP BY "tag"')
    assert isinstance(grouped, dict)
    assert sorted(grouped) == ["prices,tag=B", "prices,tag=D", "prices,tag=E"]
    assert len(grouped["prices,tag=B"]) == 2
    several = client.query("SELECT LUY FROM prices; SELECT BEM FROM prices")
    assert isinstance(several, list)
    assert len(several) == 2
    with pytest.raises(ValueError):
        client.query("SELECT * FROM prices", chunked=True)


def test_bytes_and_iterable_output(client: InfluxDBClient) -> None:
    _h2o(client)
    client.output = "bytes"
    raw = client.query("SELECT * FROM h2o_quality")
    assert isinstance(raw, bytes)
    assert b"coyote_creek" in raw
    client.output = "iterable"
    r = client.query("SELECT * from h2o_quality LIMIT 10")
    assert isinstance(r, InfluxDBResult)
    assert next(iter(r)) == [1439856000000000000, 41, "coyote_creek", "1"]
    r = client.query(
        "SELECT * from h2o_quality LIMIT 5",
        parser=lambda x, meta: dict(zip(meta["columns"], x, strict=False)),
    )
    assert next(iter(r)) == {
        "time": 1439856000000000000,
        "index": 41,
        "location": "coyote_creek",
        "randtag": "1",
    }
    chunked = client.query("SELECT * from h2o_quality", chunked=True, chunk_size=2)
    assert isinstance(chunked, InfluxDBChunkedResult)
    assert len(list(chunked)) == 5


def test_iterpoints_and_chunked_async(client: InfluxDBClient) -> None:
    _h2o(client)
    r = client.query("SELECT * from h2o_quality LIMIT 10")
    assert [p[1] for p in iterpoints(r)] == [41, 99, 11, 56, 65]
    parsed = list(iterpoints(r, lambda x, meta: dict(zip(meta["columns"], x, strict=False))))
    assert parsed[4] == {
        "time": 1439856720000000000,
        "index": 65,
        "location": "santa_monica",
        "randtag": "3",
    }

    async def main() -> tuple[list, list, int]:
        client.mode = "async"
        chunks = await client.query("SELECT * from h2o_quality", chunked=True, chunk_size=2)
        points = []
        count = 0
        async for chunk in chunks:
            count += 1
            points.extend(iterpoints(chunk))
        client.output = "iterable"
        r = await client.query("SELECT * from h2o_quality", chunked=True, chunk_size=2)
        via_result = [p async for p in r]
        r = await client.query("SELECT * from h2o_quality", chunked=True, chunk_size=2)
        chunk_count = 0
        async for _chunk in r.iterchunks():
            chunk_count += 1
        await client.close()
        return points, via_result, chunk_count

    points, via_result, chunk_count = asyncio.run(main())
    assert [p[1] for p in points] == [41, 99, 11, 56, 65]
    assert via_result == points
    assert chunk_count == 3


def test_blocking_chunked_json(client: InfluxDBClient) -> None:
    _h2o(client)
    chunks = list(client.query("SELECT * from h2o_quality", chunked=True, chunk_size=2))
    assert len(chunks) == 3
    assert sum(len(list(iterpoints(c))) for c in chunks) == 5


def test_db_switch(client: InfluxDBClient, influxdb_database: str) -> None:
    other = influxdb_database + "_2"
    client.create_database(db=other)
    try:
        client.db = other
        client.write(POINT)
        assert client.select_all("cpu_load_short")["results"][0]["series"]
        client.db = influxdb_database
        assert "series" not in client.select_all(measurement="cpu_load_short")["results"][0]
    finally:
        client.drop_database(db=other)


def test_query_patterns(client: InfluxDBClient, influxdb_database: str) -> None:
    _h2o(client)
    names = [v[0] for v in client.show_databases()["results"][0]["series"][0]["values"]]
    assert influxdb_database in names
    assert client.show_measurements()["results"][0]["series"][0]["values"] == [["h2o_quality"]]
    assert "results" in client.show_users()
    assert len(client.show_series()["results"][0]["series"][0]["values"]) == 4
    assert client.show_tag_keys()["results"][0]["series"][0]["values"] == [
        ["location"],
        ["randtag"],
    ]
    assert client.show_field_keys()["results"][0]["series"][0]["values"] == [["index", "integer"]]
    values = client.show_tag_values_from("h2o_quality", key="randtag")
    assert [v[1] for v in values["results"][0]["series"][0]["values"]] == ["1", "2", "3"]
    where = client.select_where("h2o_quality", where="location = 'santa_monica'")
    assert len(where["results"][0]["series"][0]["values"]) == 3
    # Names are quoted: an injection attempt is just an odd measurement name.
    evil = client.select_all('h2o_quality"; DROP DATABASE "x')
    assert "series" not in evil["results"][0]
    client.drop_measurement("h2o_quality")
    assert "series" not in client.show_measurements()["results"][0]


def test_set_query_pattern(client: InfluxDBClient) -> None:
    _h2o(client)
    InfluxDBClient.set_query_pattern(
        "by_location", "SELECT count(index) FROM h2o_quality WHERE location = '{location}'"
    )
    r = client.by_location("coyote_creek")  # type: ignore[attr-defined]
    assert r["results"][0]["series"][0]["values"][0][1] == 2
    r = client.by_location(location="x' OR location = 'santa_monica")  # type: ignore[attr-defined]
    assert "series" not in r["results"][0]
    r = client.query("SELECT count(index) FROM {m} WHERE randtag = '{t}'", "h2o_quality", t="2")
    assert r["results"][0]["series"][0]["values"][0][1] == 2
    # A bare name is one quoted identifier: an injection attempt is an odd measurement name.
    r = client.query("SELECT * FROM {m}", "a; DROP DATABASE x")
    assert "series" not in r["results"][0]


def test_loop_argument_warns(influxdb_url: str) -> None:
    loop = asyncio.new_event_loop()
    try:
        with pytest.warns(CompatWarning):
            InfluxDBClient(loop=loop, db="x")
    finally:
        loop.close()


def test_sync_context_manager(client: InfluxDBClient) -> None:
    with client as c:
        assert c.write(POINT)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert client.query("SELECT value FROM cpu_load_short")["results"][0]["series"]


def test_ping_in_async_mode(client: InfluxDBClient) -> None:
    async def main() -> dict:
        client.mode = "async"
        try:
            return await client.ping()
        finally:
            await client.close()

    assert asyncio.run(main())["X-Influxdb-Version"].startswith("1.")
    assert datetime.now(UTC)
