"""Time conversion: exact to the nanosecond from every accepted input type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from influxorm.exceptions import ValidationError
from influxorm.timeutil import MAX_NS, MIN_NS, ns_to_datetime, ns_to_iso, ns_to_rfc3339, to_ns

NS_2024 = 1_704_153_600_000_000_000  # 2024-01-02T00:00:00Z


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (NS_2024, NS_2024),
        (0, 0),
        (-1, -1),
        (MAX_NS, MAX_NS),
        (MIN_NS, MIN_NS),
        (datetime(2024, 1, 2, tzinfo=UTC), NS_2024),
        (datetime(2024, 1, 2), NS_2024),  # naive is UTC
        (datetime(2024, 1, 2, 2, tzinfo=timezone(timedelta(hours=2))), NS_2024),
        (datetime(2024, 1, 2, 0, 0, 0, 123456, tzinfo=UTC), NS_2024 + 123_456_000),
        (datetime(1969, 12, 31, 23, 59, 59, 999999), -1000),
        ("2024-01-02T00:00:00Z", NS_2024),
        ("2024-01-02T00:00:00.000000001Z", NS_2024 + 1),
        ("2024-01-02T00:00:00.123456789Z", NS_2024 + 123_456_789),
        ("2024-01-02T02:00:00.123456789+02:00", NS_2024 + 123_456_789),
        ("2024-01-02T00:00:00.1Z", NS_2024 + 100_000_000),
        ("2024-01-02T00:00:00,5Z", NS_2024 + 500_000_000),
        ("2024-01-02T00:00:00.1234567890Z", NS_2024 + 123_456_789),  # zero beyond ns
        ("2024-01-02 00:00:00", NS_2024),
        ("2024-01-02", NS_2024),
        ("1969-12-31T23:59:59.999999999Z", -1),
        (pd.Timestamp("2024-01-02T00:00:00.000000001Z"), NS_2024 + 1),
        (pd.Timestamp("2024-01-02T00:00:00.000000001"), NS_2024 + 1),
        (pd.Timestamp("2024-01-02T01:00:00.000000001+01:00"), NS_2024 + 1),
        (np.datetime64("2024-01-02T00:00:00.000000001"), NS_2024 + 1),
        (np.datetime64("2024-01-02"), NS_2024),
        (np.int64(5), 5),
    ],
)
def test_to_ns_is_exact(value: object, expected: int) -> None:
    assert to_ns(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "bool"),
        (1.5, "not a time"),
        ("yesterday", "not an ISO-8601 time"),
        ("2024-01-02T00:00:00.1234567891Z", "more than nanosecond precision"),
        (MAX_NS + 1, "outside the range"),
        (MIN_NS - 1, "outside the range"),
        (2**63, "outside the range"),
        (datetime(1, 1, 1), "outside the range"),
        (datetime(9999, 1, 1, tzinfo=UTC), "outside the range"),
        (pd.NaT, "NaT"),
        (np.datetime64("NaT"), "NaT"),
        (None, "not a time"),
    ],
)
def test_to_ns_refuses(value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        to_ns(value)
    assert info.value.value is value


def test_ns_to_datetime_truncates_towards_the_past() -> None:
    assert ns_to_datetime(NS_2024 + 1_999) == datetime(2024, 1, 2, 0, 0, 0, 1, tzinfo=UTC)
    assert ns_to_datetime(-1) == datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    assert ns_to_datetime(NS_2024).tzinfo is UTC


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (NS_2024, "2024-01-02T00:00:00Z"),
        (NS_2024 + 1, "2024-01-02T00:00:00.000000001Z"),
        (NS_2024 + 120_000_000, "2024-01-02T00:00:00.12Z"),
        (-1, "1969-12-31T23:59:59.999999999Z"),
        (MAX_NS, "2262-04-11T23:47:16.854775806Z"),
        (MIN_NS, "1677-09-21T00:12:43.145224194Z"),
    ],
)
def test_ns_to_rfc3339(ns: int, text: str) -> None:
    assert ns_to_rfc3339(ns) == text
    assert ns_to_iso(ns) == text


@given(st.integers(MIN_NS, MAX_NS))
def test_rfc3339_round_trips_every_nanosecond(ns: int) -> None:
    assert to_ns(ns_to_rfc3339(ns)) == ns


@given(st.datetimes(min_value=datetime(1678, 1, 1), max_value=datetime(2262, 1, 1)))
def test_datetime_round_trips(value: datetime) -> None:
    assert ns_to_datetime(to_ns(value)) == value.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        np.datetime64("3000-01-01"),  # numpy's own ns conversion wrapped this to 1830
        np.datetime64("1000-01-01", "s"),  # ... and this to 2169
        np.datetime64("2262-04-11T23:47:16.854775807"),  # int64 max: the server's sentinel
        np.datetime64(2**62, "Y"),
        np.datetime64(-(2**40), "M"),
        pd.Timestamp("3000-01-01").as_unit("s"),  # .value raised a bare OverflowError
        pd.Timestamp("1000-01-01").as_unit("ms"),
    ],
)
def test_times_beyond_the_nanosecond_range_are_refused_not_wrapped(value: object) -> None:
    with pytest.raises(ValidationError, match="outside the range"):
        to_ns(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (np.datetime64("2024-01-02"), NS_2024),
        (np.datetime64("2024-01-02T00:00:00.000000001"), NS_2024 + 1),
        (np.datetime64("2024", "Y"), NS_2024 - 86_400 * 10**9),
        (np.datetime64("2024-01", "M"), NS_2024 - 86_400 * 10**9),
        (np.datetime64(3, "25s"), 75 * 10**9),
        (np.datetime64(5_000, "ps"), 5),
        (np.datetime64("2262-04-11T23:47:16.854775806"), MAX_NS),
        (pd.Timestamp("2024-01-02").as_unit("s"), NS_2024),
    ],
)
def test_datetime64_of_any_unit_converts_exactly(value: object, expected: int) -> None:
    assert to_ns(value) == expected


def test_datetime64_finer_than_a_nanosecond_is_refused() -> None:
    with pytest.raises(ValidationError, match="more than nanosecond precision"):
        to_ns(np.datetime64(5, "ps"))
