"""``scale_timestamps``: converting raw line protocol times exactly (precision u/m/h on
InfluxDB 3), property-tested against the reference encoder."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from influxorm.exceptions import ValidationError
from influxorm.lineprotocol import encode_point
from influxorm.linescan import scale_timestamps

_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
# Spaces, quotes, backslashes, commas, equals, digits and LF: every byte that shapes a line.
_TRICKY = st.text(st.sampled_from(' "\\,=\n#0123456789ab\t'), max_size=12)
_VALUE = st.one_of(
    _TEXT,
    _TRICKY,
    st.integers(-(2**63), 2**63 - 1),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
)
_NAME = st.one_of(_TEXT, _TRICKY).filter(bool)


@st.composite
def _points(draw: st.DrawFn) -> tuple[str, dict[str, object], dict[str, object]]:
    measurement = draw(_NAME)
    tags = draw(st.dictionaries(_NAME, st.one_of(_TEXT, _TRICKY), max_size=3))
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


@pytest.mark.parametrize("line", [b"m v=1 1 2", b"m v=1 1e3", b"m v=1 9223372036854776"])
def test_what_cannot_convert_exactly_is_refused(line: bytes) -> None:
    with pytest.raises(ValidationError):
        scale_timestamps(line, 1000)
