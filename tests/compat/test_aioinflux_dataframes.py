"""``output='dataframe'`` through influxorm.aioinflux in aioinflux 0.4.1's shapes
(issue 14 items 14-16), and its ``serialization.dataframe`` module."""

from __future__ import annotations

import pandas as pd
import pytest

from influxorm.aioinflux import InfluxDBClient
from influxorm.aioinflux.serialization import dataframe

LINES = "\n".join(
    [
        "cpu,host=a,dc=x load=1i 1000000000",
        "cpu,host=a,dc=x load=2i 2000000000",
        "cpu,host=b,dc=x load=3i 3000000000",
        "mem,host=a used=4.5 4000000000",
    ]
)


@pytest.fixture
def frames(client: InfluxDBClient) -> InfluxDBClient:
    client.write(LINES)
    client.output = "dataframe"
    return client


def test_one_statement_one_series_is_a_dataframe(frames: InfluxDBClient) -> None:
    df = frames.query("SELECT used FROM mem")
    assert isinstance(df, pd.DataFrame)
    assert df["used"].tolist() == [4.5]
    assert isinstance(df.index, pd.DatetimeIndex)
    assert str(df.index.tz) == "UTC"
    assert df.index.name is None
    assert df.index[0] == pd.Timestamp(4, unit="s", tz="UTC")


def test_one_statement_several_series_is_a_dict_keyed_by_name_and_tags(
    frames: InfluxDBClient,
) -> None:
    out = frames.query('SELECT load FROM cpu GROUP BY "host", "dc"')
    assert isinstance(out, dict)
    assert sorted(out) == ["cpu,dc=x,host=a", "cpu,dc=x,host=b"]
    assert out["cpu,dc=x,host=a"]["load"].tolist() == [1, 2]
    several = frames.query("SELECT * FROM cpu, mem")
    assert sorted(several) == ["cpu", "mem"]


def test_no_series_is_an_empty_dict(frames: InfluxDBClient) -> None:
    assert frames.query("SELECT * FROM nothing_here") == {}


def test_several_statements_are_a_list_of_keyed_dicts_never_unwrapped(
    frames: InfluxDBClient,
) -> None:
    out = frames.query(
        'SELECT used FROM mem; SELECT load FROM cpu GROUP BY "host"; SELECT * FROM nothing'
    )
    assert isinstance(out, list)
    assert [sorted(d) for d in out] == [["mem"], ["cpu,host=a", "cpu,host=b"], []]
    assert isinstance(out[0]["mem"], pd.DataFrame)
    assert out[0]["mem"]["used"].tolist() == [4.5]


def test_each_series_frame_has_a_column_per_group_by_tag(frames: InfluxDBClient) -> None:
    out = frames.query('SELECT load FROM cpu GROUP BY "host"')
    a = out["cpu,host=a"]
    assert a.columns.tolist() == ["load", "host"]
    assert a["host"].tolist() == ["a", "a"]
    assert out["cpu,host=b"]["host"].tolist() == ["b"]
    one = frames.query('SELECT load FROM cpu WHERE host = \'b\' GROUP BY "host", "dc"')
    assert isinstance(one, pd.DataFrame)
    assert one.columns.tolist() == ["load", "dc", "host"]
    assert one[["dc", "host"]].values.tolist() == [["x", "b"]]


def test_frames_whose_times_are_all_zero_get_a_range_index(frames: InfluxDBClient) -> None:
    total = frames.query("SELECT sum(load) FROM cpu")
    assert isinstance(total.index, pd.RangeIndex)
    assert total["sum"].tolist() == [6]
    per_host = frames.query('SELECT sum(load) FROM cpu GROUP BY "host"')
    assert all(isinstance(df.index, pd.RangeIndex) for df in per_host.values())
    assert per_host["cpu,host=b"][["sum", "host"]].values.tolist() == [[3, "b"]]
    timed = frames.query("SELECT sum(load) FROM cpu WHERE time > 0 GROUP BY time(1h)")
    assert isinstance(timed.index, pd.DatetimeIndex)


def test_serialization_dataframe_serialize_shapes_a_json_response(
    frames: InfluxDBClient,
) -> None:
    frames.output = "json"
    resp = frames.query('SELECT load FROM cpu GROUP BY "host"')
    out = dataframe.serialize(resp)
    assert sorted(out) == ["cpu,host=a", "cpu,host=b"]
    assert out["cpu,host=a"]["host"].tolist() == ["a", "a"]


def test_serialization_dataframe_parse_writes_influxorm_line_protocol() -> None:
    df = pd.DataFrame(
        {"v": [1.5], "t": ["x"]}, index=pd.DatetimeIndex([pd.Timestamp(1, unit="s", tz="UTC")])
    )
    assert dataframe.parse(df, "m", ["t"], k="v") == b"m,k=v,t=x v=1.5 1000000000"
