"""InfluxQL quoting, durations and number literals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from influxorm.exceptions import QueryBuildError
from influxorm.influxql import (
    duration_to_ns,
    format_duration,
    format_float,
    quote_ident,
    quote_regex,
    quote_string,
    unescape,
)


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("price", '"price"'),
        ("time", '"time"'),
        ('a"b', '"a\\"b"'),
        ("a'b", '"a\'b"'),
        ("back\\slash", '"back\\\\slash"'),
        ("new\nline", '"new\\nline"'),
        ("sp ace;--", '"sp ace;--"'),
        ("ünï", '"ünï"'),
        ('\\"', '"\\\\\\""'),
    ],
)
def test_quote_ident(name: str, quoted: str) -> None:
    assert quote_ident(name) == quoted


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("", "''"),
        ("it's", "'it\\'s'"),
        ('say "hi"', "'say \"hi\"'"),
        ("a\\", "'a\\\\'"),
        ("l1\nl2", "'l1\\nl2'"),
        ("x' OR 1=1 --", "'x\\' OR 1=1 --'"),
    ],
)
def test_quote_string(value: str, quoted: str) -> None:
    assert quote_string(value) == quoted


@pytest.mark.parametrize("bad", [quote_ident, quote_string])
def test_carriage_return_is_refused(bad: object) -> None:
    with pytest.raises(QueryBuildError, match="carriage return"):
        bad("a\rb")  # type: ignore[operator]


def test_empty_identifier_is_refused() -> None:
    with pytest.raises(QueryBuildError, match="empty"):
        quote_ident("")


@pytest.mark.parametrize(
    ("pattern", "quoted"),
    [
        ("^a.*$", "/^a.*$/"),
        ("a/b", "/a\\/b/"),
        ("a\\/b", "/a\\\\/b/"),
        ("l1\nl2", "/l1\\nl2/"),
        ("cr\rlf", "/cr\\rlf/"),
        ("nul\x00", "/nul\\x00/"),
        # influxd's scanner escapes the closing / after ANY backslash run: an even
        # trailing run gets an empty group, which matches the same text.
        ("ends\\\\", "/ends\\\\(?:)/"),
        ("x\\\\\\\\", "/x\\\\\\\\(?:)/"),
        ("\\\\", "/\\\\(?:)/"),
        ("a\\\\/", "/a\\\\\\//"),
        ("[/]", "/[\\/]/"),
        ("; DROP DATABASE x --", "/; DROP DATABASE x --/"),
        ("", "//"),
    ],
)
def test_quote_regex(pattern: str, quoted: str) -> None:
    assert quote_regex(pattern) == quoted


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("a\\", "unpaired backslash"),
        ("a\\\\\\", "unpaired backslash"),
        ("a\\\n", "backslash before"),
        ("a\\\r", "backslash before"),
        ("a\\\x00", "backslash before"),
        ("\\Qab\\\\", "\\\\Q"),
        ("a\ud800", "surrogate"),
    ],
)
def test_quote_regex_refuses(pattern: str, reason: str) -> None:
    with pytest.raises(QueryBuildError, match=reason) as info:
        quote_regex(pattern)
    assert repr(pattern) in str(info.value)


@pytest.mark.parametrize("quote", [quote_ident, quote_string])
@pytest.mark.parametrize(("value", "reason"), [("a\x00b", "NUL"), ("a\udc80", "surrogate")])
def test_nul_and_surrogates_are_refused_naming_the_value(
    quote: object, value: str, reason: str
) -> None:
    with pytest.raises(QueryBuildError, match=reason) as info:
        quote(value)  # type: ignore[operator]
    assert repr(value) in str(info.value)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(0), "0s"),
        (timedelta(hours=1), "1h"),
        (timedelta(minutes=90), "1h30m"),
        (timedelta(days=14), "2w"),
        (timedelta(days=8, seconds=1), "1w1d1s"),
        (timedelta(milliseconds=1500), "1s500ms"),
        (timedelta(microseconds=3), "3u"),
        (1, "1ns"),
        (1_001, "1u1ns"),
        ("90m", "1h30m"),
        ("1h30m", "1h30m"),
        ("500µ", "500u"),
        ("7d", "1w"),
    ],
)
def test_format_duration(value: timedelta | str | int, text: str) -> None:
    assert format_duration(value) == text


@pytest.mark.parametrize(
    "bad", ["", "1", "h", "1 h", "1hour", "-1h", "1h;DROP", timedelta(-1), -1, True, 1.5, 2**63]
)
def test_bad_durations_are_refused(bad: object) -> None:
    with pytest.raises(QueryBuildError):
        duration_to_ns(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1.0"),
        (-1.5, "-1.5"),
        (0.1, "0.1"),
        (1e-07, "0.0000001"),
        (1e22, "10000000000000000000000.0"),
        (-0.0, "-0.0"),
        (5e-324, "0." + "0" * 323 + "5"),
    ],
)
def test_format_float(value: float, text: str) -> None:
    assert format_float(value) == text
    assert float(text) == value


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_format_float_refuses_non_finite(bad: float) -> None:
    with pytest.raises(QueryBuildError):
        format_float(bad)


_QUOTABLE = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r\x00"))


@given(_QUOTABLE)
def test_unescape_reads_back_what_quoting_wrote(text: str) -> None:
    """The one reading of a literal's escapes (redaction and the CQ comparison use it)."""
    assert unescape(quote_string(text)[1:-1]) == text
    if text:
        assert unescape(quote_ident(text)[1:-1]) == text
