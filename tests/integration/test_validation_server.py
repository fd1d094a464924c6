"""Bad input raises ValidationError from write() and the server holds nothing of it.

Each case writes good points around one bad point; after the ValidationError the
database must still be empty: validation happens before a single byte is sent.
"""

from __future__ import annotations

import math
import time
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest

import influxorm as orm
from influxorm.query.compiler import compile_query
from influxorm.session import AsyncSession, Session


class Sample(orm.Measurement, name="samples"):
    time: int = orm.time()
    host: str = orm.tag()
    value: float = orm.field()
    count: int | None = orm.field(default=None)
    label: str | None = orm.field(default=None)


class Sparse(orm.Measurement, name="sparse"):
    time: int = orm.time()
    value: float | None = orm.field(default=None)


def good(n: int) -> Sample:
    return Sample(time=n, host="h", value=float(n))


BAD_POINTS: dict[str, Any] = {
    "nan": Sample(time=10, host="h", value=math.nan),
    "inf": Sample(time=10, host="h", value=math.inf),
    "-inf": Sample(time=10, host="h", value=-math.inf),
    "int over int64": Sample(time=10, host="h", value=1.0, count=2**63),
    "int under int64": Sample(time=10, host="h", value=1.0, count=-(2**63) - 1),
    "bool as int": Sample(time=10, host="h", value=1.0, count=True),
    "str as float": Sample(time=10, host="h", value="1.5"),  # type: ignore[arg-type]
    "newline in tag": Sample(time=10, host="a\nb", value=1.0),
    "carriage return in tag": Sample(time=10, host="a\rb", value=1.0),
    "NUL in tag": Sample(time=10, host="a\x00b", value=1.0),
    "tag ending in backslash": Sample(time=10, host="a\\", value=1.0),
    "required tag None": Sample(time=10, host=None, value=1.0),  # type: ignore[arg-type]
    "required field None": Sample(time=10, host="h", value=None),  # type: ignore[arg-type]
    "time out of range": Sample(time=2**63, host="h", value=1.0),
    "time not a time": Sample(time=1.5, host="h", value=1.0),  # type: ignore[arg-type]
    "datetime out of range": Sample(time=datetime(3000, 1, 1), host="h", value=1.0),  # type: ignore[arg-type]
    "empty field set": Sparse(time=10),
    "dict without fields": {"measurement": "samples", "fields": {}},
    "dict nan": {"measurement": "samples", "fields": {"value": math.nan}},
    "dict without measurement": {"fields": {"value": 1.0}},
    "dict comment measurement": {"measurement": "#samples", "fields": {"value": 1.0}},
    "dict measurement with LF": {"measurement": "sam\nples", "fields": {"value": 1.0}},
    "dict tag key time": {"measurement": "samples", "tags": {"time": "x"}, "fields": {"v": 1}},
    "dict field key time": {"measurement": "samples", "fields": {"time": 1}},
    "dict unknown key": {"measurement": "samples", "fields": {"v": 1}, "field": {}},
    "not a point": 42,
    "bytes not UTF-8": b"samples value=1 1\xff",
    # Lone surrogates: UTF-8 cannot encode them, so they are refused by validation.
    "surrogate in tag": Sample(time=10, host="h\ud800", value=1.0),
    "surrogate in string field": Sample(time=10, host="h", value=1.0, label="\udfff"),
    "surrogate in dict tag": {
        "measurement": "samples",
        "tags": {"h": "\ud800"},
        "fields": {"v": 1},
    },
    "surrogate in dict field key": {"measurement": "samples", "fields": {"v\ud800": 1}},
    "surrogate in raw str": 'samples value=1 1\nsamples label="\ud800" 2',
    # Raw line protocol influxd would misread: it splits lines at LF only.
    "raw CRLF line endings": "samples value=1 1\r\nsamples value=2 2\r\n",
    "raw bare CR line ending": "samples value=1 1\rsamples value=2 2",
    "raw NUL": "samples,host=a\x00b value=1 1",
    # Silent value changes are refused.
    "numpy bool into float field": Sample(time=10, host="h", value=np.bool_(True)),  # type: ignore[arg-type]
    "int beyond 2**53 into float field": Sample(time=10, host="h", value=2**53 + 1),
    "datetime64 beyond the ns range": Sample(
        time=np.datetime64("3000-01-01"),  # type: ignore[arg-type]
        host="h",
        value=1.0,
    ),
    "coarse Timestamp beyond the ns range": {
        "measurement": "samples",
        "fields": {"v": 1.0},
        "time": pd.Timestamp("3000-01-01").as_unit("s"),
    },
}


def stored_measurements(session: Session) -> list[Any]:
    result = session.query("SHOW MEASUREMENTS")
    return result["results"][0].get("series", [])  # type: ignore[index,no-any-return]


@pytest.mark.parametrize("case", sorted(BAD_POINTS))
def test_one_bad_point_among_good_ones_stores_nothing(influxdb_session: Session, case: str) -> None:
    data = [good(1), good(2), BAD_POINTS[case], good(3)]
    with pytest.raises(orm.ValidationError):
        influxdb_session.write(data)
    with pytest.raises(orm.ValidationError):
        influxdb_session.write(BAD_POINTS[case])
    assert stored_measurements(influxdb_session) == []


async def test_async_write_validates_before_sending(influxdb_async_session: AsyncSession) -> None:
    with pytest.raises(orm.ValidationError, match=r"Sample\.value"):
        await influxdb_async_session.write([good(1), BAD_POINTS["nan"]])
    result = await influxdb_async_session.query("SHOW MEASUREMENTS")
    assert result["results"][0].get("series", []) == []  # type: ignore[index]


def test_good_points_after_a_refused_write_are_stored(influxdb_session: Session) -> None:
    with pytest.raises(orm.ValidationError):
        influxdb_session.write([good(1), BAD_POINTS["newline in tag"]])
    influxdb_session.write([good(1), good(2)])
    result = influxdb_session.query("SELECT count(value) FROM samples")
    assert result["results"][0]["series"][0]["values"][0][1] == 2  # type: ignore[index]


@pytest.mark.parametrize("kind", ["models", "dicts", "raw", "frame"])
def test_a_surrogate_in_the_last_of_12001_points_stores_nothing(
    influxdb_session: Session, kind: str
) -> None:
    """A write larger than one batch used to send 10,000 points, then raise a bare
    UnicodeEncodeError while encoding the next batch."""
    n = 12_001
    labels = ["x"] * (n - 1) + ["bad \ud800"]
    data: Any
    if kind == "models":
        data = [Sample(time=i, host="h", value=1.0, label=labels[i]) for i in range(n)]
    elif kind == "dicts":
        data = [
            {"measurement": "samples", "time": i, "fields": {"label": labels[i]}} for i in range(n)
        ]
    elif kind == "raw":
        data = [f'samples label="{labels[i]}" {i}' for i in range(n)]
    else:
        index = pd.DatetimeIndex(np.arange(n).astype("datetime64[ns]"))
        data = pd.DataFrame({"label": pd.Series(labels, dtype=object, index=index)})
    extra = {"measurement": "samples"} if kind == "frame" else {}
    with pytest.raises(orm.ValidationError, match="surrogate") as caught:
        influxdb_session.write(data, **extra)
    assert "\\ud800" in str(caught.value)  # the error names the value
    assert stored_measurements(influxdb_session) == []


def test_nul_in_raw_line_protocol_is_refused_before_sending(influxdb_session: Session) -> None:
    """influxd echoes a bad line into an HTTP header; a NUL there made the client report
    a retryable transport error and try six times."""
    started = time.monotonic()
    with pytest.raises(orm.ValidationError, match="NUL"):
        influxdb_session.write("samples,host=a\x00 value=1 1")
    assert time.monotonic() - started < 1.0
    assert stored_measurements(influxdb_session) == []


def test_cr_nul_and_lf_inside_raw_string_values_are_stored(influxdb_session: Session) -> None:
    """Only a CR or NUL outside a string value is refused: inside one, influxd stores it."""
    influxdb_session.write('samples label="a\r\n\x00b" 1\nsamples label="c" 2')
    result = influxdb_session.query("SELECT label FROM samples")
    assert result["results"][0]["series"][0]["values"] == [  # type: ignore[index]
        [1, "a\r\n\x00b"],
        [2, "c"],
    ]


def test_time_filters_refuse_datetime64_beyond_the_ns_range() -> None:
    """Year 3000 wrapped to 1830 in a query's time filter."""
    with pytest.raises(orm.QueryBuildError, match="outside the range"):
        Sample.objects.where(time__gte=np.datetime64("3000-01-01"))
    _, params = compile_query(Sample.objects.where(time__gte=np.datetime64("2200-01-01")))
    assert list(params.values()) == ["2200-01-01T00:00:00Z"]
