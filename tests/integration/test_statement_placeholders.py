"""Every placeholder kind, with arbitrary text, through the real influxd.

Each example writes rows, runs a pattern statement and checks it did exactly what was
asked: a string placeholder matches exactly the rows holding that text, a regex one the
rows Python's ``re`` says match, an identifier one reads only that measurement, number
and duration ones compare exactly. A value that cannot be written safely raises
ValidationError while the statement is formatted (before anything is sent). After every
example, the canary database, measurement and user are untouched and the answer holds
exactly one statement result.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import influxorm as orm
from influxorm.lineprotocol import check_measurement, check_tag_value
from influxorm.session import Session

CANARY_DB = "canary_db"
CANARY_USER = "canary_user"
HOSTILE = "'\"\\/;-*\n\r\t\x00#=, ()|.^$[]{}?+\u00e9\u2028\U0001f600"
_chunks = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(["\\\\", "\\\\\\", "--", "/*", "*/", "; DROP DATABASE canary_db"]),
    st.characters(blacklist_categories=("Cs",)),
)
# Arbitrary text, with backslash runs, comment markers and statement separators anywhere.
texts = st.lists(_chunks, max_size=8).map("".join)
# Rows every example writes: the texts attacks are made of.
BASE = [
    "",
    "a",
    "x\\",
    "x\\\\",
    "a/b",
    "a\\/b",
    "it's",
    'say "hi"',
    "l1\nl2",
    "cr\rnul\x00",
    "semi;colon",
    "--",
    "/* c */",
    "ünï",
    "\U0001f600",
    "host",
    "canary_db",
]
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def canaries(influxdb_session: Session) -> Iterator[Callable[[], None]]:
    """Creates a canary database (with a point), a bystander measurement and a user, and
    returns a check that they are all still there."""
    influxdb_session.create_database(CANARY_DB)
    influxdb_session.write({"measurement": "keep", "fields": {"v": 1}, "time": 1}, db=CANARY_DB)
    influxdb_session.write({"measurement": "bystander", "fields": {"v": 1}, "time": 1})
    influxdb_session.create_user(CANARY_USER, "pw")

    def check() -> None:
        assert CANARY_DB in influxdb_session.show_databases()
        assert _values(influxdb_session.query("SELECT v FROM keep", db=CANARY_DB)) == [[1, 1]]
        assert _values(influxdb_session.query("SELECT v FROM bystander")) == [[1, 1]]
        assert CANARY_USER in [u["user"] for u in influxdb_session.show_users()]

    yield check
    influxdb_session.drop_user(CANARY_USER)
    influxdb_session.drop_database(CANARY_DB)


def _values(result: dict[str, Any]) -> list[list[Any]]:
    assert len(result["results"]) == 1, result  # one statement: nothing else ran
    series = result["results"][0].get("series", [])
    return [row for s in series for row in s["values"]]


def _run(session: Session, pattern: str, **arguments: object) -> list[list[Any]] | None:
    """The rows of the pattern's statement, or None when it refused the arguments."""
    session.set_query_pattern("under_test", pattern)
    try:
        text = session.format_query("under_test", **arguments)
    except orm.ValidationError:
        return None
    return _values(session.query(text))


def _write_rows(session: Session, fields: list[dict[str, object]]) -> dict[int, dict[str, object]]:
    """Writes one point per dict into ``rows`` at times 0, 1, ...; returns what was stored."""
    session.drop_measurement("rows")
    stored: dict[int, dict[str, object]] = {}
    for t, values in enumerate(fields):
        point: dict[str, object] = {"measurement": "rows", "fields": values, "time": t}
        text = values.get("s")
        if isinstance(text, str) and text and _tag_ok(text):
            point["tags"] = {"h": text}
        try:
            session.write(point)
        except orm.ValidationError:
            continue
        stored[t] = {**values, **point.get("tags", {})}  # type: ignore[dict-item]
    return stored


def _tag_ok(text: str) -> bool:
    try:
        check_tag_value(text)
    except orm.ValidationError:
        return False
    return text == text.strip(" ")


def _unquotable(text: str) -> bool:
    return "\x00" in text or "\r" in text


@SETTINGS
@given(value=texts)
@example(value="x' OR 'a' = 'a")
@example(value="x\\")
@example(value="a\x00")
def test_string_placeholder_matches_exactly_that_text(
    influxdb_session: Session, canaries: Callable[[], None], value: str
) -> None:
    stored = _write_rows(influxdb_session, [{"s": text} for text in [*BASE, value]])
    field_rows = _run(influxdb_session, "SELECT s FROM rows WHERE s = {v:str}", v=value)
    # InfluxQL reads a missing tag as '': h = '' matches the rows without tag h.
    tag_rows = _run(influxdb_session, "SELECT s FROM rows WHERE h = {v:str}", v=value)
    if _unquotable(value):
        assert field_rows is None
        assert tag_rows is None
    else:
        assert field_rows is not None
        assert tag_rows is not None
        assert [t for t, _ in field_rows] == [t for t, r in stored.items() if r["s"] == value]
        tagged = [t for t, r in stored.items() if r.get("h", "") == value]
        assert [t for t, _ in tag_rows] == tagged
    canaries()


_PUNCTUATION = frozenset(string.punctuation)


def _literal(text: str) -> str:
    """A regex matching ``text`` literally in both Python and RE2 (raw LF/CR/NUL kept)."""
    return "".join("\\" + c if c in _PUNCTUATION else c for c in text)


regexes = st.lists(
    st.one_of(
        texts.map(_literal),
        st.sampled_from(
            [".", ".*", "^", "\\\\", "\\\\\\\\", "[/]", "\\/", "(?:)", "|", "[^a]", "x?", "\\n"]
        ),
    ),
    max_size=5,
).map("".join)


@SETTINGS
@given(first=regexes, second=regexes)
@example(first="x\\\\", second="; DROP DATABASE canary_db --")
@example(first="\\\\\\\\", second="/ OR 1=1; DROP DATABASE canary_db; --")
@example(first="a\\/", second="\\/\\*")
def test_regex_placeholders_match_what_python_re_matches(
    influxdb_session: Session, canaries: Callable[[], None], first: str, second: str
) -> None:
    stored = _write_rows(influxdb_session, [{"s": text} for text in BASE])
    pattern = "SELECT s FROM rows WHERE s =~ {a:regex} OR s =~ {b:regex}"
    rows = _run(influxdb_session, pattern, a=first, b=second)
    assert rows is not None, "a valid regex must be written, not refused"
    texts_by_time = {t: str(r["s"]) for t, r in stored.items()}
    expected = [
        t for t, text in texts_by_time.items() if re.search(first, text) or re.search(second, text)
    ]
    assert [t for t, _ in rows] == expected
    canaries()


@SETTINGS
@given(value=texts)
@example(value="x\\\\")
@example(value="x\\")
def test_arbitrary_regex_text_never_runs_as_influxql(
    influxdb_session: Session, canaries: Callable[[], None], value: str
) -> None:
    pattern = "SELECT v FROM bystander WHERE v =~ {a:regex} OR v =~ {b:regex}"
    influxdb_session.set_query_pattern("under_test", pattern)
    try:
        text = influxdb_session.format_query(
            "under_test", a=value, b="; DROP DATABASE canary_db --"
        )
    except orm.ValidationError:
        text = None
    if text is not None:
        # The server may find the regex invalid (RE2 is not Python's re), but the
        # statement around it must parse: only regex compilation errors are acceptable.
        error = _server_error(lambda: _values(influxdb_session.query(text)))
        assert error is None or "error parsing regexp" in error or "bad regex" in error, error
    canaries()


def _server_error(run: Callable[[], object]) -> str | None:
    try:
        run()
    except orm.QueryError as exc:
        return str(exc)
    return None


@SETTINGS
@given(value=texts)
@example(value="canary_db..keep")
@example(value='keep"; DROP DATABASE "canary_db')
def test_identifier_placeholder_reads_only_that_measurement(
    influxdb_session: Session, canaries: Callable[[], None], value: str
) -> None:
    written = value not in ("rows", "bystander")  # the test's own measurements stay as they are
    try:
        check_measurement(value)
        if written:
            influxdb_session.write({"measurement": value, "fields": {"s": "marker"}, "time": 7})
    except orm.ValidationError:
        written = False
    rows = _run(influxdb_session, "SELECT s FROM {m:ident}", m=value)
    if value == "" or _unquotable(value):
        assert rows is None
    else:
        assert rows == ([[7, "marker"]] if written else [])
    if written:
        influxdb_session.drop_measurement(value)
    canaries()


@SETTINGS
@given(value=st.one_of(st.integers(), texts, st.floats()))
@example(value=2**63)
@example(value=-(2**63))
def test_int_placeholder_compares_exactly(
    influxdb_session: Session, canaries: Callable[[], None], value: object
) -> None:
    numbers = [0, 1, -1, 2**63 - 1, -(2**63)]
    if type(value) is int and -(2**63) <= value < 2**63:
        numbers.append(value)
    stored = _write_rows(influxdb_session, [{"n": n} for n in numbers])
    rows = _run(influxdb_session, "SELECT n FROM rows WHERE n = {v:int}", v=value)
    if type(value) is int and -(2**63) <= value < 2**63:
        assert rows is not None
        assert [t for t, _ in rows] == [t for t, r in stored.items() if r["n"] == value]
    else:
        assert rows is None
    canaries()


@SETTINGS
@given(value=st.one_of(st.floats(), st.integers(-(2**53), 2**53), texts))
@example(value=1e-08)
@example(value=float("nan"))
@example(value=5e-324)
def test_float_placeholder_compares_exactly(
    influxdb_session: Session, canaries: Callable[[], None], value: object
) -> None:
    numbers = [0.0, 1.5, -2.25, 1e-08]
    finite = type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]
    if finite:
        numbers.append(float(value))  # type: ignore[arg-type]
    stored = _write_rows(influxdb_session, [{"f": f} for f in numbers])
    rows = _run(influxdb_session, "SELECT f FROM rows WHERE f = {v:float}", v=value)
    if finite:
        assert rows is not None
        assert [t for t, _ in rows] == [t for t, r in stored.items() if r["f"] == value]
    else:
        assert rows is None
    canaries()


_UNITS = {"ns": 1, "u": 10**3, "µ": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9}
_UNITS |= {"h": 3600 * 10**9, "d": 86400 * 10**9, "w": 7 * 86400 * 10**9}
duration_texts = st.lists(
    st.tuples(st.integers(0, 10**6), st.sampled_from(sorted(_UNITS))), min_size=1, max_size=3
).map(lambda parts: "".join(f"{n}{u}" for n, u in parts))


def _ns(value: object) -> int | None:
    """The duration in ns, computed independently of the library, or None if invalid."""
    if isinstance(value, timedelta):
        ns = value // timedelta(microseconds=1) * 1000
    elif type(value) is int:
        ns = value
    elif isinstance(value, str) and re.fullmatch(r"(?:\d+(?:ns|ms|u|µ|s|m|h|d|w))+", value):
        ns = sum(int(n) * _UNITS[u] for n, u in re.findall(r"(\d+)(ns|ms|u|µ|s|m|h|d|w)", value))
    else:
        return None
    return ns if 0 <= ns < 2**63 else None


@SETTINGS
@given(value=st.one_of(st.timedeltas(), st.integers(), duration_texts, texts))
@example(value="1h; DROP DATABASE canary_db")
@example(value=2**63 - 1)
def test_duration_placeholder_compares_exactly(
    influxdb_session: Session, canaries: Callable[[], None], value: object
) -> None:
    times = [0, 1, 999, 10**9, 3600 * 10**9, 10**18]
    for t in times:
        influxdb_session.write({"measurement": "durations", "fields": {"v": 1}, "time": t})
    rows = _run(influxdb_session, "SELECT v FROM durations WHERE time <= {d:duration}", d=value)
    ns = _ns(value)
    if ns is None:
        assert rows is None
    else:
        assert rows is not None
        assert [t for t, _ in rows] == [t for t in times if t <= ns]
    canaries()
