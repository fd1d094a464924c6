"""``scale_timestamps``: converting raw line protocol times exactly (precision u/m/h on
InfluxDB 3), property-tested against the reference encoder (whose lines influxd reads as
written, see tests/integration/test_server_profiles.py)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from influxorm.exceptions import ValidationError
from influxorm.lineprotocol import encode_point
from influxorm.linescan import scale_timestamps

# Spaces, quotes, backslashes, commas, equals, digits: every byte that shapes a line.
_SHAPING = ' "\\,=#0123456789ab\t'
_NAME = st.text(st.sampled_from(_SHAPING), min_size=1, max_size=10).filter(
    lambda s: not s.endswith("\\") and not s.startswith("#") and s != "time"
)
# String field values may also hold LF and any other text.
_STRING = st.one_of(
    st.text(st.sampled_from(_SHAPING + "\n"), max_size=12),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r\x00"), max_size=8),
)
_VALUE = st.one_of(
    _STRING,
    st.integers(-(2**63), 2**63 - 1),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
)


@st.composite
def _points(draw: st.DrawFn) -> tuple[str, dict[str, object], dict[str, object]]:
    measurement = draw(_NAME)
    tags = draw(st.dictionaries(_NAME, _NAME, max_size=3))
    fields = draw(st.dictionaries(_NAME, _VALUE, min_size=1, max_size=3))
    return measurement, tags, fields


@given(
    st.lists(
        st.tuples(_points(), st.one_of(st.none(), st.integers(-(10**15), 10**15))), max_size=4
    ),
    st.sampled_from([1_000, 60_000_000_000, 3_600_000_000_000]),
)
def test_scaling_equals_encoding_the_scaled_time(
    points: list[tuple[tuple[str, dict[str, object], dict[str, object]], int | None]],
    factor: int,
) -> None:
    written, expected = [], []
    for (measurement, tags, fields), time in points:
        try:
            written.append(encode_point(measurement, tags, fields, time))
        except ValidationError:
            assume(False)
        scaled = None if time is None else time * factor
        assume(scaled is None or abs(scaled) <= 9_223_372_036_854_775_806)
        expected.append(encode_point(measurement, tags, fields, scaled))
    body = "\n".join(written).encode()
    assert scale_timestamps(body, factor) == "\n".join(expected).encode()


def test_blank_and_comment_lines_are_kept() -> None:
    body = b"\n# x 1 2\n  m v=1 2\n\n"
    assert scale_timestamps(body, 1000) == b"\n# x 1 2\n  m v=1 2000\n\n"


@pytest.mark.parametrize("line", [b"m v=1 9223372036854776", b"m v=1 -9223372036854776"])
def test_a_time_out_of_range_once_scaled_is_refused(line: bytes) -> None:
    with pytest.raises(ValidationError, match="out of range"):
        scale_timestamps(line, 1000)


def test_a_line_without_an_integer_timestamp_is_left_for_the_server() -> None:
    assert scale_timestamps(b"m v=1 1e3\nm v=1", 1000) == b"m v=1 1e3\nm v=1"
