"""Properties of the builder's refusals, over arbitrary values and names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from query_models import Level, Side, Trade

import influxorm as orm
from influxorm.query.expressions import _LOOKUPS

SIDE_VALUES = {member.value for member in Side}
LEVEL_VALUES = {member.value for member in Level}


@given(st.text() | st.sampled_from(sorted(SIDE_VALUES)))
def test_an_enum_tag_takes_exactly_its_members_values(value: str) -> None:
    if value in SIDE_VALUES:
        assert Trade.objects.where(side=value).params == {"p0": value}
        return
    with pytest.raises(orm.QueryBuildError, match=r"members: BUY \('BUY'\), SELL \('SELL'\)"):
        Trade.objects.where(side=value)


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.sampled_from([1, 2]))
def test_an_int_enum_field_takes_exactly_its_members_values(value: int) -> None:
    if value in LEVEL_VALUES:
        Trade.objects.where(level=value)
        return
    with pytest.raises(orm.QueryBuildError, match=r"members: LOW \(1\), HIGH \(2\)"):
        Trade.objects.where(level=value)


@given(st.sampled_from(["gt", "gte", "lt", "lte"]), st.text(), st.booleans())
def test_string_ordering_is_always_refused(lookup: str, value: str, negate: bool) -> None:
    build = Trade.objects.exclude if negate else Trade.objects.where
    with pytest.raises(orm.QueryBuildError, match="is a str field"):
        build(**{f"trade_id__{lookup}": value})


@given(st.from_regex(r"[a-z]{1,8}", fullmatch=True).filter(lambda s: s not in _LOOKUPS))
def test_an_unknown_lookup_is_named_and_the_lookups_listed(suffix: str) -> None:
    with pytest.raises(orm.QueryBuildError) as caught:
        Trade.objects.where(**{f"price__{suffix}": 1.0})
    assert f"unknown lookup {suffix!r} in 'price__{suffix}'" in str(caught.value)
    assert "lookups: eq, ne, gt, gte, lt, lte, regex, in" in str(caught.value)
