"""Time filters refuse times beyond the nanosecond range instead of wrapping them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from query_models import Trade

from influxorm.exceptions import QueryBuildError
from influxorm.query.compiler import compile_query


@pytest.mark.parametrize(
    "value",
    [
        np.datetime64("3000-01-01"),  # was compiled as 1830-...
        np.datetime64("1000-01-01", "s"),  # ... and this as 2169-...
        pd.Timestamp("3000-01-01").as_unit("s"),  # was a bare OverflowError
    ],
)
def test_out_of_range_times_are_a_query_build_error_naming_the_value(value: object) -> None:
    with pytest.raises(QueryBuildError, match="outside the range") as caught:
        Trade.objects.where(time__gte=value)
    assert "3000" in str(caught.value) or "1000" in str(caught.value)


def test_in_range_datetime64_of_a_coarse_unit_is_exact() -> None:
    _, params = compile_query(Trade.objects.where(time__lt=np.datetime64("2200-01-01", "D")))
    assert list(params.values()) == ["2200-01-01T00:00:00Z"]
