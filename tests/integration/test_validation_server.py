"""Bad input raises ValidationError from write() and the server holds nothing of it.

Each case writes good points around one bad point; after the ValidationError the
database must still be empty: validation happens before a single byte is sent.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import pytest

import influxorm as orm
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
