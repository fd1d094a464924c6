"""One validator for every write path, checked against the real server.

The same point goes through a model, a dict, raw line protocol built by the library and
a DataFrame, each into its own database: every path must store exactly the same thing
(and that must be what was written), or every path must refuse it with a
ValidationError before sending (a model whose names
cannot be written is refused when its class is declared). The names and values come
from text full of what line protocol treats specially: separators, escapes, quotes,
tabs, form feeds, LF/CR/NUL, ``#``, ``time``, non-ASCII and lone surrogates.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

import influxorm as orm
from influxorm.exceptions import ModelDefinitionError, ValidationError
from influxorm.lineprotocol import encode_point
from influxorm.session import Session
from influxorm.testing import InfluxDBServer
from influxorm.timeutil import MAX_NS, MIN_NS

PATHS = ("model", "dict", "raw", "frame")
_classes = itertools.count()

_SPECIAL = list(',= \\"\t\x0c\x0b#\n\r\x00é\u2028')
_char = st.one_of(st.sampled_from(_SPECIAL), st.characters(blacklist_categories=()))
_text = st.text(_char, max_size=5)
_plain = st.text(st.characters(min_codepoint=97, max_codepoint=122), min_size=1, max_size=3)
names = st.one_of(
    _plain,
    _plain,
    _plain,
    _text,
    st.sampled_from(["time", "#m", "\tm", "m\\", "a\\,b", "a\\ b", 'q\\"', "a\\=b", "a\\b"]),
)
values = st.one_of(
    st.floats(allow_nan=False),  # infinities are refused everywhere; NaN is a DataFrame hole
    st.integers(min_value=-(2**64), max_value=2**64),
    st.booleans(),
    _text,
)
times = st.one_of(
    st.integers(min_value=MIN_NS - 1, max_value=MAX_NS + 1),
    st.sampled_from([MIN_NS - 1, MIN_NS, 0, MAX_NS, MAX_NS + 1]),
)


@pytest.fixture(scope="module")
def validator_server() -> Iterator[InfluxDBServer]:
    with InfluxDBServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def validator_session(validator_server: InfluxDBServer) -> Iterator[Session]:
    """A session on a server of this module's own (the test creates and drops databases)."""
    with Session(validator_server.url, database="model") as s:
        yield s


def _model(measurement: str, tag_key: str, field_key: str, value: object) -> type[Any]:
    namespace = {
        "__annotations__": {"time": int, "tag": str, "value": type(value)},
        "time": orm.time(),
        "tag": orm.tag(name=tag_key),
        "value": orm.field(name=field_key),
    }
    kind: type[Any] = type(orm.Measurement)
    return kind(f"Hyp{next(_classes)}", (orm.Measurement,), namespace, name=measurement)


def _frame(tag_key: str, tag: str, field_key: str, value: object, time: int) -> pd.DataFrame:
    index = pd.DatetimeIndex(np.array([time], dtype="datetime64[ns]"))
    wide = type(value) is int and not -(2**63) <= value < 2**63
    if isinstance(value, str) or wide:  # object: pandas' str dtype cannot hold surrogates
        column = pd.Series([value], dtype=object, index=index)
    else:
        column = pd.Series([value], index=index)  # float64, bool, int64
    tags = pd.Series([tag], dtype=object, index=index)
    return pd.DataFrame({field_key: column, tag_key: tags})


def _write(session: Session, path: str, point: tuple[str, str, str, str, Any, int]) -> str:
    """Write through one path; "refused" when validation said no."""
    measurement, tag_key, tag, field_key, value, time = point
    try:
        if path == "model":
            model = _model(measurement, tag_key, field_key, value)
            session.write(model(time=time, tag=tag, value=value), db=path)
        elif path == "dict":
            point_dict = {
                "measurement": measurement,
                "tags": {tag_key: tag},
                "fields": {field_key: value},
                "time": time,
            }
            session.write(point_dict, db=path)
        elif path == "raw":
            line = encode_point(measurement, {tag_key: tag}, {field_key: value}, time)
            session.write(line, db=path)
        else:
            frame = _frame(tag_key, tag, field_key, value, time)
            session.write(frame, db=path, measurement=measurement, tag_columns=[tag_key])
    except (ValidationError, ModelDefinitionError):
        return "refused"
    return "written"


def _stored(session: Session, db: str) -> list[Any]:
    result = session.query("SELECT * FROM /.*/ GROUP BY *", db=db)
    return list(result["results"][0].get("series", []))


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    measurement=names,
    tag_key=names,
    tag=st.one_of(_plain, _text, st.sampled_from(["a\x0cb", "a\\", "a b,c=d", "é", "x\ud800"])),
    field_key=names,
    value=values,
    time=times,
)
@example(measurement="a\\,b", tag_key="t", tag="x", field_key="v", value=1.0, time=1)
@example(measurement="\tm", tag_key="t", tag="x", field_key="v", value=1.0, time=1)
@example(measurement="m", tag_key="t", tag="x", field_key='q\\"', value=1.0, time=1)
@example(measurement="a\\ b", tag_key="t", tag="x", field_key="v", value=1.0, time=1)
@example(measurement="m", tag_key="t", tag="a\x0cb", field_key="v", value=1.0, time=1)
@example(measurement="m", tag_key="t", tag="x", field_key="v", value=-(2**63) - 1, time=1)
@example(measurement="m", tag_key="t", tag="x", field_key="v", value="a\ud800", time=1)
@example(measurement="m", tag_key="t", tag="x", field_key="v", value='s\r\n\x00"\\', time=1)
@example(measurement="m" * 40_000, tag_key="t", tag="x" * 30_000, field_key="v", value=1, time=1)
@example(measurement="m", tag_key="t", tag="x", field_key="v", value=1.0, time=MIN_NS - 1)
@example(measurement="m", tag_key="k\\ y", tag="a\\ b", field_key="v", value=1.0, time=1)
@example(measurement="m", tag_key="k\\,y", tag="a\\=b", field_key="v", value=1.0, time=1)
@example(measurement="m", tag_key="k", tag="a\\,b", field_key="v", value=1.0, time=1)
@example(measurement="m", tag_key="k", tag='a\\"b', field_key="v", value=1.0, time=1)
def test_every_path_stores_the_same_or_refuses(
    validator_session: Session,
    measurement: str,
    tag_key: str,
    tag: str,
    field_key: str,
    value: Any,
    time: int,
) -> None:
    session = validator_session
    if tag_key == field_key:
        field_key += "_f"  # one column cannot be both tag and field
    for db in PATHS:
        session.create_database(db)
    try:
        point = (measurement, tag_key, tag, field_key, value, time)
        outcomes = {path: _write(session, path, point) for path in PATHS}
        stored = {path: _stored(session, path) for path in PATHS}
    finally:
        for db in PATHS:
            session.drop_database(db)
    assert len(set(outcomes.values())) == 1, outcomes
    event(outcomes["dict"])
    if outcomes["dict"] == "refused":
        assert stored == {path: [] for path in PATHS}, stored  # nothing was sent
    else:
        assert all(stored[path] == stored["dict"] for path in PATHS), stored
        # ... and what is stored is what was written (an empty tag is left out).
        [series] = stored["dict"]
        assert series["name"] == measurement
        assert {k: v for k, v in series.get("tags", {}).items() if v} == (
            {tag_key: tag} if tag else {}
        )
        assert series["columns"] == ["time", field_key]
        assert series["values"] == [[time, value]]
        assert type(series["values"][0][1]) is type(value) or isinstance(value, float)
