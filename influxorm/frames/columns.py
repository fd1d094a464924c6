"""Classifying and validating DataFrame columns before they are written.

A column becomes one of four field kinds (or a tag), decided by its dtype (an object
column by the values it holds) or by a declared type (model-driven writes). Validation
that needs whole columns (±inf, integer range, ints a float cannot hold, integral floats
declared as integers, text UTF-8 cannot encode, time range) happens here, with numpy,
once per column. The rules are those of :mod:`influxorm.lineprotocol`: a value a
column-wise check flags is handed to its functions, which decide and word the error.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Literal

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from influxorm import lineprotocol as lp
from influxorm.exceptions import ValidationError
from influxorm.timeutil import MAX_NS, MIN_NS, to_ns

__all__ = [
    "FieldKind",
    "check_encodable",
    "check_tag_values",
    "coerce_field",
    "field_kind_of",
    "index_to_ns",
    "row_label",
    "tag_texts",
]

FieldKind = Literal["float", "integer", "boolean", "string"]

_INT64_MAX = np.iinfo(np.int64).max


def row_label(index: pd.Index, position: int) -> str:
    """The label of row ``position``, for error messages."""
    return repr(index[position])


# What ``pandas.api.types.infer_dtype`` says an object column holds -> its field kind.
_INFERRED: dict[str, FieldKind] = {
    "string": "string",
    "empty": "string",
    "integer": "integer",
    "boolean": "boolean",
    "floating": "float",
    "mixed-integer-float": "float",
}


def _inferred(series: pd.Series, column: Hashable) -> FieldKind:
    """The kind of an object column, from the Python types of its values: ints stay
    integers and bools booleans (never their ``str()``); a mix is refused."""
    inferred = ptypes.infer_dtype(series, skipna=True)
    kind = _INFERRED.get(inferred)
    if kind is None:
        raise ValidationError(
            f"object column {column!r} holds {inferred} values, which cannot be one field "
            "(a field holds one of float, int, bool or str); convert it first",
            attribute=str(column),
        )
    return kind


def field_kind_of(series: pd.Series, column: Hashable) -> FieldKind:
    """The field kind a column's dtype (an object column's values) maps to;
    ValidationError for unsupported dtypes and mixed object columns."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return field_kind_of(pd.Series(dtype.categories), column)
    if dtype == np.dtype(object):
        return _inferred(series, column)
    if ptypes.is_bool_dtype(dtype):
        return "boolean"
    if ptypes.is_integer_dtype(dtype):
        return "integer"
    if ptypes.is_float_dtype(dtype):
        return "float"
    if ptypes.is_string_dtype(dtype):
        return "string"
    raise ValidationError(
        f"column {column!r} has dtype {dtype}, which InfluxDB cannot store as a field; "
        "convert it to float, int, bool or str first",
        attribute=str(column),
    )


def coerce_field(
    series: pd.Series, kind: FieldKind, column: Hashable, actual: FieldKind | None = None
) -> pd.Series:
    """Check ``series`` for values its kind cannot carry; convert to the declared ``kind``.

    Floats must be finite (NaN is a hole, ±inf an error), integers must fit int64.
    A float column declared ``integer`` (holes make pandas store ints as floats) must
    hold whole numbers; it becomes nullable ``Int64``. ``actual``: the column's
    :func:`field_kind_of`, when the caller has it already.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = coerce_field(pd.Series(dtype.categories), kind, column)
        return pd.Series(
            pd.Categorical.from_codes(series.cat.codes.to_numpy(), categories=pd.Index(categories)),
            index=series.index,
        )
    if actual is None:
        actual = field_kind_of(series, column)
    if dtype == np.dtype(object) and actual != "string":
        series = _typed_objects(series, actual, column)
    if actual == "float":
        if isinstance(dtype, np.dtype) and dtype.itemsize > 8:  # longdouble: must fit exactly
            wide = series.to_numpy()
            inexact = np.isfinite(wide) & (wide.astype(np.float64).astype(dtype) != wide)
            if inexact.any():
                lp.encode_float(wide[int(np.argmax(inexact))], attribute=str(column))
            series = series.astype(np.float64)  # exact, and what both backends format
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
        _check_exact_floats(series, column)
        return series.astype("Float64")
    raise ValidationError(
        f"column {column!r} holds {actual} values but is declared {kind}",
        attribute=str(column),
    )


def _typed_objects(series: pd.Series, kind: FieldKind, column: Hashable) -> pd.Series:
    """An object column of ints, bools or floats (``None`` holes) as a nullable dtype."""
    if kind == "integer":
        present = series.dropna()
        ints = present.tolist()
        if ints and not (min(ints) >= lp.INT64_MIN and max(ints) <= lp.INT64_MAX):
            bad = next(v for v in ints if not lp.INT64_MIN <= v <= lp.INT64_MAX)
            raise ValidationError(
                f"column {column!r} holds {bad}, beyond int64",
                attribute=str(column),
                value=bad,
            )
        return series.astype("Int64")
    if kind == "float":
        for value in series.dropna().tolist():  # ints among floats: only if held exactly
            if isinstance(value, int) and not -(2**53) <= value <= 2**53:
                lp.encode_float(value, attribute=str(column))
        return series.astype("Float64")
    return series.astype("boolean")


def _check_exact_floats(series: pd.Series, column: Hashable) -> None:
    """Refuse ints a float cannot hold exactly (beyond 2**53), as the other paths do."""
    values = series.dropna().to_numpy(dtype=np.int64)
    big = values[(values > 2**53) | (values < -(2**53))]
    for value in big.tolist():  # only ints beyond 2**53 get here
        lp.encode_float(value, attribute=str(column))


def check_encodable(series: pd.Series, column: Hashable, what: str) -> None:
    """Refuse text UTF-8 cannot encode (a lone surrogate) in a column of str (``what``:
    ``"tag column"`` or ``"string column"``), naming the row; one C-level join and, for
    non-ASCII text, one encode."""
    if isinstance(series.dtype, pd.ArrowDtype) or getattr(series.dtype, "storage", "") in (
        "pyarrow",
        "pyarrow_numpy",
    ):
        return  # Arrow holds valid UTF-8 only
    texts = series.dropna().tolist()  # str only: the column's kind is "string"
    if lp.first_unencodable("".join(texts)) < 0:
        return
    for position, text in enumerate(series.tolist()):
        if isinstance(text, str) and lp.first_unencodable(text) >= 0:
            try:
                if what == "tag column":
                    lp.check_tag_value(text, attribute=str(column))
                else:
                    lp.encode_string(text, attribute=str(column))
            except ValidationError as exc:
                raise _at_row(exc, what, column, series.index, position) from None


def _at_row(
    exc: ValidationError, what: str, column: Hashable, index: pd.Index, position: int
) -> ValidationError:
    return ValidationError(
        f"{what} {column!r} at row {row_label(index, position)}: {exc}",
        attribute=str(column),
        value=exc.value,
    )


def tag_texts(distinct: pd.Series, column: Hashable) -> pd.Series:
    """A tag column's distinct values as text: str values as they are, ints in decimal;
    anything else is refused (its spelling would depend on the backend: ``True`` or
    ``true``, ``1.0`` or ``1``)."""
    dtype = distinct.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        distinct = distinct.astype(object)
        dtype = distinct.dtype
    if ptypes.is_string_dtype(dtype) and dtype != np.dtype(object):
        return distinct
    inferred = ptypes.infer_dtype(distinct, skipna=True)
    if inferred in ("string", "empty"):
        return distinct
    if inferred == "integer":
        return pd.Series([str(int(v)) for v in distinct.tolist()], dtype=object)
    raise ValidationError(
        f"tag column {column!r} holds {inferred} values: a tag value is text; convert the "
        "column with .astype(str) (ints are written in decimal)",
        attribute=str(column),
    )


def check_tag_values(
    texts: list[str | None], flagged: np.ndarray, index: pd.Index, column: Hashable
) -> None:
    """Hand the values a column-wise check flagged to :func:`lineprotocol.check_tag_value`,
    which refuses them (naming the row of ``index``) or lets them pass."""
    for position in np.flatnonzero(flagged).tolist():
        text = texts[position]
        if text is None:
            continue
        try:
            lp.check_tag_value(text, attribute=str(column))
        except ValidationError as exc:
            raise _at_row(exc, "tag column", column, index, position) from None


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
        ns = np.asarray(index.as_unit("ns").asi8, dtype=np.int64)
    except (OverflowError, pd.errors.OutOfBoundsDatetime) as exc:
        raise ValidationError(f"the index holds times InfluxDB cannot store: {exc}") from None
    outside = (ns < MIN_NS) | (ns > MAX_NS)
    if outside.any():
        where = int(np.argmax(outside))
        try:
            to_ns(int(ns[where]))
        except ValidationError as exc:
            raise ValidationError(
                f"the index at position {where}: {exc}", value=index[where]
            ) from None
    return ns
