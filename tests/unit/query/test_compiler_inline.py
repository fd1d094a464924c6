"""Inline statements: query -> exact InfluxQL text with every value a literal.

``tests/integration/test_inline_statements.py`` checks on influxd that the inline and the
bound forms are the same statement; these tables pin the exact text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from query_models import Level, Quote, Side, Trade
from test_compiler import DELETE_CASES, SELECT_CASES

import influxorm as orm
from influxorm.influxql import quote_regex, quote_string
from influxorm.query import compile_delete, compile_query

T0 = datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)

INLINE_CASES: list[tuple[str, Any, str]] = [
    ("all", lambda: Trade.objects, 'SELECT * FROM "trades"'),
    (
        "eq tag",
        lambda: Trade.objects.where(instrument="AAPL"),
        'SELECT * FROM "trades" WHERE "instrument" = \'AAPL\'',
    ),
    (
        "enum tag",
        lambda: Trade.objects.where(side=Side.BUY),
        'SELECT * FROM "trades" WHERE "side" = \'BUY\'',
    ),
    (
        "in tag, duplicates dropped",
        lambda: Trade.objects.where(instrument__in=["A", "B", "A"]),
        'SELECT * FROM "trades" WHERE "instrument" = \'A\' OR "instrument" = \'B\'',
    ),
    (
        "in empty matches nothing",
        lambda: Trade.objects.where(instrument__in=[]),
        'SELECT * FROM "trades" WHERE "instrument" = \'\' AND "instrument" <> \'\'',
    ),
    (
        "not in",
        lambda: Trade.objects.exclude(side__in=[Side.BUY, Side.SELL]),
        'SELECT * FROM "trades" WHERE "side" <> \'BUY\' AND "side" <> \'SELL\'',
    ),
    (
        "quotes, backslashes, a line feed and a tab",
        lambda: Trade.objects.where(trade_id='it\'s "q" \\ \\\\ a\nb\tc'),
        'SELECT * FROM "trades" WHERE "trade_id" = \'it\\\'s "q" \\\\ \\\\\\\\ a\\nb\tc\'',
    ),
    (
        "statement syntax inside a string stays text",
        lambda: Trade.objects.where(trade_id="x' OR 1=1; DROP DATABASE x -- /* $p0 */"),
        'SELECT * FROM "trades" WHERE "trade_id" = \'x\\\' OR 1=1; DROP DATABASE x -- /* $p0 */\'',
    ),
    (
        "unicode",
        lambda: Trade.objects.where(instrument="\u00e9\u2028\U0001f600"),
        'SELECT * FROM "trades" WHERE "instrument" = \'\u00e9\u2028\U0001f600\'',
    ),
    (
        "regex",
        lambda: Trade.objects.where(instrument__regex="^AA"),
        'SELECT * FROM "trades" WHERE "instrument" =~ /^AA/',
    ),
    (
        "regex with slashes and flags",
        lambda: Trade.objects.where(trade_id__regex=re.compile("a/b\\/c", re.IGNORECASE)),
        'SELECT * FROM "trades" WHERE "trade_id" =~ /(?i)a\\/b\\\\/c/',
    ),
    (
        "regex ending in an escaped backslash: an empty group keeps the closing slash",
        lambda: Trade.objects.where(instrument__regex="a\\\\"),
        'SELECT * FROM "trades" WHERE "instrument" =~ /a\\\\(?:)/',
    ),
    (
        "regex with a line feed, CR and NUL: written as escapes",
        lambda: Trade.objects.where(note__regex="a\nb\rc\x00"),
        'SELECT * FROM "trades" WHERE "note" =~ /a\\nb\\rc\\x00/',
    ),
    (
        "negated regex",
        lambda: Trade.objects.exclude(instrument__regex="x"),
        'SELECT * FROM "trades" WHERE "instrument" !~ /x/',
    ),
    (
        "int",
        lambda: Trade.objects.where(size__lte=10),
        'SELECT * FROM "trades" WHERE "size" <= 10',
    ),
    (
        "negative int: no '--' comment can form",
        lambda: Trade.objects.where(size__gt=-5),
        'SELECT * FROM "trades" WHERE "size" > -5',
    ),
    (
        "int64 extremes",
        lambda: Trade.objects.where(size__gte=-(2**63), size__lte=2**63 - 1),
        'SELECT * FROM "trades" WHERE "size" >= -9223372036854775808 '
        'AND "size" <= 9223372036854775807',
    ),
    (
        "int enum field",
        lambda: Trade.objects.where(level=Level.HIGH),
        'SELECT * FROM "trades" WHERE "level" = 2',
    ),
    (
        "bool true",
        lambda: Trade.objects.where(flagged=True),
        'SELECT * FROM "trades" WHERE "flagged" = true',
    ),
    (
        "bool false negated",
        lambda: Trade.objects.exclude(flagged=False),
        'SELECT * FROM "trades" WHERE "flagged" <> false',
    ),
    (
        "float, as in the bound form",
        lambda: Trade.objects.where(price__gte=1e-07),
        'SELECT * FROM "trades" WHERE "price" >= 0.0000001',
    ),
    (
        "numpy float",
        lambda: Trade.objects.where(price__lt=np.float64(-2.5)),
        'SELECT * FROM "trades" WHERE "price" < -2.5',
    ),
    (
        "numpy str",
        lambda: Trade.objects.where(instrument=np.str_("it's")),
        'SELECT * FROM "trades" WHERE "instrument" = \'it\\\'s\'',
    ),
    (
        "time range: RFC 3339 text, nanoseconds kept",
        lambda: Trade.objects.where(time__gte=T0, time__lt=1_700_000_000_000_000_001),
        "SELECT * FROM \"trades\" WHERE time >= '2024-01-02T03:04:05.123456Z' "
        "AND time < '2023-11-14T22:13:20.000000001Z'",
    ),
    (
        "time before the epoch",
        lambda: Trade.objects.where(time__gt=-1),
        "SELECT * FROM \"trades\" WHERE time > '1969-12-31T23:59:59.999999999Z'",
    ),
    (
        "relative time",
        lambda: Trade.objects.where(time__gte=orm.now() - timedelta(hours=1, minutes=30)),
        'SELECT * FROM "trades" WHERE time >= now() - 1h30m',
    ),
    (
        "nested and/or",
        lambda: Trade.objects.where(
            orm.Q(instrument="A") | (orm.Q(size__gt=5) & ~orm.Q(side=Side.SELL))
        ),
        'SELECT * FROM "trades" WHERE "instrument" = \'A\' OR ("size" > 5 AND "side" <> \'SELL\')',
    ),
    (
        "quoted names",
        lambda: Quote.objects.where(venue="X'", bid__gt=1.5),
        'SELECT * FROM "one year"."quo\\"tes" WHERE "venue key" = \'X\\\'\' AND "bid price" > 1.5',
    ),
    (
        "aggregate, every, fill, tz",
        lambda: (
            Trade.objects.where(instrument="A", time__gte=T0)
            .aggregate(avg=orm.Mean("price"))
            .group_by("side", orm.every("1h"), fill=0)
            .tz("Europe/Paris")
        ),
        'SELECT mean("price") AS "avg" FROM "trades" WHERE "instrument" = \'A\' AND '
        "time >= '2024-01-02T03:04:05.123456Z' GROUP BY \"side\", time(1h) fill(0) "
        "tz('Europe/Paris')",
    ),
    (
        "into, as a continuous query needs it",
        lambda: (
            Trade.objects.where(side=Side.BUY)
            .aggregate(vwap=orm.Mean("price"))
            .group_by("instrument", orm.every("1m"))
            .into("bars", retention_policy="one year")
        ),
        'SELECT mean("price") AS "vwap" INTO "one year"."bars" FROM "trades" WHERE '
        '"side" = \'BUY\' GROUP BY "instrument", time(1m)',
    ),
]


@pytest.mark.parametrize(("build", "text"), [pytest.param(b, t, id=i) for i, b, t in INLINE_CASES])
def test_inline_compiles_to_exact_text(build: Any, text: str) -> None:
    query = build()
    assert compile_query(query, inline=True) == (text, {})
    assert query.inline_influxql == text


def test_inline_delete() -> None:
    query = Trade.objects.where(instrument__in=["A", "B'"], time__lt=0)
    assert compile_delete(query, inline=True) == (
        'DELETE FROM "trades" WHERE ("instrument" = \'A\' OR "instrument" = \'B\\\'\') '
        "AND time < '1970-01-01T00:00:00Z'",
        {},
    )


def _substituted(text: str, params: dict[str, Any]) -> str:
    """The bound text with each ``$pN`` replaced by its value's literal."""

    def literal(match: re.Match[str]) -> str:
        value = params[match.group(1)]
        if isinstance(value, dict):
            return quote_regex(value["regex"])
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        return quote_string(value)

    return re.sub(r"\$(p\d+)\b", literal, text)


@pytest.mark.parametrize(
    "build", [pytest.param(case[1], id=case[0]) for case in SELECT_CASES + DELETE_CASES]
)
def test_inline_is_the_bound_statement_with_its_values_written_in(build: Any) -> None:
    """Every bound compiler case: only the placeholders differ between the two forms."""
    query = build()
    is_delete = any(case[1] is build for case in DELETE_CASES)
    compile_ = compile_delete if is_delete else compile_query
    bound, params = compile_(query)
    assert compile_(query, inline=True) == (_substituted(bound, params), {})


# No CR, NUL or lone surrogates: no InfluxQL string literal carries them (refused below).
text_values = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"), max_size=20
)


@given(
    tag=text_values,
    field=text_values,
    size=st.integers(min_value=-(2**63), max_value=2**63 - 1),
    flagged=st.booleans(),
    ns=st.integers(min_value=-(2**62), max_value=2**62),
    price=st.floats(allow_nan=False, allow_infinity=False),
)
def test_arbitrary_values_inline_as_their_literals(
    tag: str, field: str, size: int, flagged: bool, ns: int, price: float
) -> None:
    query = Trade.objects.where(
        orm.Q(instrument=tag) | orm.Q(instrument__in=[tag, field]),
        trade_id=field,
        size__gte=size,
        flagged=flagged,
        time__gte=ns,
        price__lt=price,
    ).exclude(note__regex="".join("\\" + c if c in "\\.+*?()|[]{}^$" else c for c in field))
    bound, params = compile_query(query)
    assert query.inline_influxql == _substituted(bound, params)


class _SneakyStr(str):
    def __str__(self) -> str:
        return "x' OR 'a'='a"

    def replace(self, *args: Any, **kwargs: Any) -> str:  # type: ignore[override]
        return "x' OR 'a'='a"


class _SneakyInt(int):
    def __repr__(self) -> str:
        return "1 OR 1=1"

    __str__ = __repr__


def test_subclass_methods_cannot_write_text() -> None:
    query = Trade.objects.where(instrument=_SneakyStr("it's"), size=_SneakyInt(7))
    assert query.inline_influxql == (
        'SELECT * FROM "trades" WHERE "instrument" = \'it\\\'s\' AND "size" = 7'
    )


REFUSED: list[tuple[str, Any, str]] = [
    (
        "carriage return in a tag value",
        lambda: Trade.objects.where(instrument="a\rb"),
        "carriage return in a string literal",
    ),
    (
        "carriage return in a string field, inside in",
        lambda: Trade.objects.where(trade_id__in=["ok", "a\r"]),
        "carriage return in a string literal",
    ),
    (
        "NUL in a string field",
        lambda: Trade.objects.where(trade_id="a\x00"),
        "NUL character in a string literal",
    ),
    (
        "lone surrogate in a tag value",
        lambda: Trade.objects.where(instrument="\ud800"),
        "lone surrogate",
    ),
    (
        "regex ending in an unpaired backslash",
        lambda: Trade.objects.where(instrument__regex="a\\"),
        "unpaired backslash",
    ),
]


@pytest.mark.parametrize(("build", "message"), [pytest.param(b, m, id=i) for i, b, m in REFUSED])
def test_inline_refuses_what_no_literal_carries(build: Any, message: str) -> None:
    """Refused inline, never spliced; the bound form still carries the value."""
    query = build()
    with pytest.raises(orm.QueryBuildError, match=message):
        query.inline_influxql  # noqa: B018
    assert query.params  # the value is bound as a parameter instead


def test_inline_delete_refuses_a_carriage_return() -> None:
    query = Trade.objects.exclude(source="\r")
    with pytest.raises(orm.QueryBuildError, match="carriage return in a string literal"):
        compile_delete(query, inline=True)
    assert compile_delete(query) == ('DELETE FROM "trades" WHERE "source" <> $p0', {"p0": "\r"})
