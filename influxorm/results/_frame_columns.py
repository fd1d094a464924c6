"""Classifying and validating DataFrame columns before they are written.

A column becomes one of four field kinds (or a tag), decided by its dtype or by a
declared type (model-driven writes). Validation that needs whole columns (±inf, integer
range, integral floats declared as integers) happens here, with numpy, once per column.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Literal

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from influxorm.exceptions import ValidationError

__all__ = ["FieldKind", "coerce_field", "field_kind_of", "index_to_ns", "row_label"]

FieldKind = Literal["float", "integer", "boolean", "string"]

_INT64_MAX = np.iinfo(np.int64).max


def row_label(index: pd.Index, position: int) -> str:
    """The label of row ``position``, for error messages."""
    return repr(index[position])


def field_kind_of(series: pd.Series, column: Hashable) -> FieldKind:
    """The field kind a column's dtype maps to; ValidationError for unsupported dtypes."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return field_kind_of(pd.Series(dtype.categories), column)
    if ptypes.is_bool_dtype(dtype):
        return "boolean"
    if ptypes.is_integer_dtype(dtype):
        return "integer"
    if ptypes.is_float_dtype(dtype):
        return "float"
    if ptypes.is_string_dtype(dtype) or dtype == np.dtype(object):
        return "string"
    raise ValidationError(
        f"column {column!r} has dtype {dtype}, which InfluxDB cannot store as a field; "
        "convert it to float, int, bool or str first",
        attribute=str(column),
    )


def coerce_field(series: pd.Series, kind: FieldKind, column: Hashable) -> pd.Series:
    """Check ``series`` for values its kind cannot carry; convert to the declared ``kind``.

    Floats must be finite (NaN is a hole, ±inf an error), integers must fit int64.
    A float column declared ``integer`` (holes make pandas store ints as floats) must
    hold whole numbers; it becomes nullable ``Int64``.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = coerce_field(pd.Series(dtype.categories), kind, column)
        return pd.Series(
            pd.Categorical.from_codes(series.cat.codes.to_numpy(), categories=pd.Index(categories)),
            index=series.index,
        )
    actual = field_kind_of(series, column)
    if actual == "float":
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        infinite = np.isinf(values)
        if infinite.any():
            where = int(np.argmax(infinite))
            raise ValidationError(
                f"column {column!r} holds {values[where]} at row {row_label(series.index, where)}:"
                " InfluxDB cannot store infinite floats (NaN is written as a hole)",
                attribute=str(column),
                value=float(values[where]),
            )
    if actual == "integer" and kind in ("integer", "float"):
        _check_int64_range(series, column)
    if kind == actual:
        return series
    if kind == "integer" and actual == "float":
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        present = ~np.isnan(values)
        bad = present & ((values != np.trunc(values)) | (np.abs(values) >= 2.0**63))
        if bad.any():
            where = int(np.argmax(bad))
            raise ValidationError(
                f"column {column!r} is declared int but holds {values[where]!r} at row "
                f"{row_label(series.index, where)}",
                attribute=str(column),
                value=float(values[where]),
            )
        return series.astype("Int64")
    if kind == "float" and actual == "integer":
        return series.astype("Float64")
    if kind == "string":
        return series
    raise ValidationError(
        f"column {column!r} holds {actual} values but is declared {kind}",
        attribute=str(column),
    )


def _check_int64_range(series: pd.Series, column: Hashable) -> None:
    dtype = series.dtype
    if ptypes.is_unsigned_integer_dtype(dtype) and getattr(dtype, "itemsize", 8) >= 8:
        values = series.dropna().to_numpy(dtype=np.uint64)
        too_big = values > np.uint64(_INT64_MAX)
        if too_big.any():
            value = int(values[int(np.argmax(too_big))])
            raise ValidationError(
                f"column {column!r} holds {value}, beyond int64 (InfluxDB 1.x has no unsigned "
                "integers)",
                attribute=str(column),
                value=value,
            )


def index_to_ns(index: pd.Index) -> np.ndarray:
    """int64 nanoseconds since the epoch (UTC) for a DatetimeIndex; naive means UTC."""
    if not isinstance(index, pd.DatetimeIndex):
        raise ValidationError(
            f"a DataFrame to write needs a DatetimeIndex, got {type(index).__name__}; "
            "use df.set_index(<time column>) or pd.to_datetime",
        )
    if index.hasnans:
        where = int(np.argmax(index.isna()))
        raise ValidationError(f"the index holds NaT at position {where}: every row needs a time")
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    try:
        ns = index.as_unit("ns").asi8
    except (OverflowError, pd.errors.OutOfBoundsDatetime) as exc:
        raise ValidationError(f"the index holds times InfluxDB cannot store: {exc}") from None
    return np.asarray(ns, dtype=np.int64)
