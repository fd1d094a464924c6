"""influxorm.aioinflux's module layout and client defaults as in aioinflux 0.4.1
(issue 14 items 13 and 22-24)."""

from __future__ import annotations

import importlib
import logging
import warnings
from datetime import UTC, datetime

import pytest

import influxorm.aioinflux as aioinflux
from compat.helpers import series
from influxorm.aioinflux import CompatWarning, InfluxDBClient, InfluxType, datapoint
from influxorm.aioinflux.serialization.mapping import _serialize_timestamp, serialize
from influxorm.testing import InfluxDBServer

NO_DB = "No default databases is set. Database must be specified when querying/writing."


def test_a_client_without_default_database_warns_and_is_still_created(
    influxdb_server: InfluxDBServer,
) -> None:
    for kwargs in ({}, {"db": ""}, {"database": ""}, {"db": None, "database": None}):
        with pytest.warns(UserWarning, match=NO_DB) as record:
            client = InfluxDBClient(
                influxdb_server.host, influxdb_server.port, mode="blocking", **kwargs
            )
        assert [type(w.message) for w in record] == [UserWarning]
        assert client.db is None or client.db == ""
        client.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client = InfluxDBClient(
            influxdb_server.host, influxdb_server.port, mode="blocking", database="x"
        )
    assert client.db == "x"
    with pytest.warns(UserWarning, match=NO_DB):
        client.db = ""
    with pytest.warns(UserWarning, match=NO_DB):
        client.database = None
    client.close()


def test_a_client_without_default_database_writes_with_db_argument(
    client: InfluxDBClient, influxdb_database: str
) -> None:
    with pytest.warns(UserWarning, match=NO_DB):
        client.db = None
    client.write("nodb v=1i 1", db=influxdb_database)
    client.db = influxdb_database
    assert series(client, "SELECT v FROM nodb")[0]["values"] == [[1, 1]]


def test_mapping_serialize_returns_the_line_write_sends(client: InfluxDBClient) -> None:
    point = {"measurement": "m", "tags": {"b": "2", "a": "1"}, "fields": {"v": 1, "s": "x"}}
    assert serialize(point) == 'm,a=1,b=2 v=1i,s="x"'
    assert serialize({"fields": {"v": 0.5}, "time": 5}, "dflt", region="eu") == (
        "dflt,region=eu v=0.5 5"
    )
    with pytest.warns(CompatWarning, match="line feeds removed"):
        line = serialize({"measurement": "a\nb", "fields": {"v": 0.5}, "time": 6})
    assert line == "ab v=0.5 6"
    client.write(line)
    assert series(client, "SELECT v FROM ab")[0]["values"] == [[6, 0.5]]
    with pytest.raises(ValueError, match="measurement"):
        serialize({"fields": {"v": 1}})


def test_serialize_timestamp_as_aioinflux() -> None:
    expected = 1514764800000000000
    for when in (
        datetime(2018, 1, 1),
        datetime(2018, 1, 1, tzinfo=UTC),
        "2018-01-01 00:00:00",
        "2018-01-01 00:00:00+00:00",
    ):
        assert _serialize_timestamp({"time": when}) == expected
    assert _serialize_timestamp({"time": 123}) == 123
    assert _serialize_timestamp({}) == ""
    assert _serialize_timestamp({"time": 0}) == ""
    assert _serialize_timestamp({"time": None}) == ""
    with pytest.raises(ValueError):
        _serialize_timestamp({"time": "foo"})


def test_loggers_are_aioinflux() -> None:
    from influxorm.aioinflux.client import logger

    assert logger is logging.getLogger("aioinflux")
    assert aioinflux.logger is logger


def test_serialization_modules_mirror_aioinflux() -> None:
    for name in ("common", "dataframe", "mapping"):
        module = importlib.import_module(f"influxorm.aioinflux.serialization.{name}")
        assert getattr(aioinflux.serialization, name) is module
    assert callable(aioinflux.serialization.dataframe.serialize)
    assert callable(aioinflux.serialization.dataframe.parse)
    assert aioinflux.serialization.DataPoint is aioinflux.DataPoint


def test_serialization_serialize_gives_bytes_for_every_input_kind() -> None:
    serialize_any = aioinflux.serialization.serialize
    assert serialize_any(b"m v=1i") == b"m v=1i"
    assert serialize_any("m v=1i") == b"m v=1i"
    Point = datapoint({"t": InfluxType.TIMEINT, "v": InfluxType.INT}, name="Point")
    assert (
        serialize_any(
            ["raw v=1i 1", {"measurement": "d", "fields": {"v": 2}, "time": 2}, Point(3, 3)]
        )
        == b"raw v=1i 1\nd v=2i 2\nPoint v=3i 3"
    )
    with pytest.raises(ValueError):
        serialize_any([{"measurement": "d", "fields": {"v": float("inf")}}])


def test_common_escape_escapes_by_position_and_removes_line_feeds() -> None:
    common = aioinflux.serialization.common
    assert common.escape("a b,c", common.measurement_escape) == "a\\ b\\,c"
    assert common.escape("k=v", common.tag_escape) == "k\\=v"
    assert common.escape('say "hi"', common.str_escape) == 'say \\"hi\\"'
    with pytest.warns(CompatWarning, match="line feeds removed"):
        assert common.escape("a\nb", common.key_escape) == "ab"
    with pytest.warns(CompatWarning, match="converted"):
        assert common.escape(5, common.key_escape) == "5"
