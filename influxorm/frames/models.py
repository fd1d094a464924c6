"""DataFrames shaped by a Measurement model: writes from attribute columns, typed reads.

:func:`encode_model_dataframe` writes a frame whose columns are the model's attribute
names with the model's measurement name, tags, ``extra_tags`` and declared field types
(an ``int`` field is written with ``i`` even when holes made pandas store it as float;
Enum members are written as their values). :func:`model_frame` (and
:func:`frame_from_response_for_model`) turn a query result frame back into the model's
attribute names and declared dtypes:

=============  ======================  ==========================
declared       no holes                with holes
=============  ======================  ==========================
``float``      ``float64``             ``float64`` (NaN)
``int``        ``int64``               ``Int64``
``bool``       ``bool``                ``boolean``
``str``        ``str``                 ``str`` (NaN)
``Enum``       ``category`` of members ``category`` (NaN)
time           UTC ``DatetimeIndex`` named after the time attribute
=============  ======================  ==========================

An Enum column is a categorical whose categories are all the Enum's members in
declaration order, so ``df.side == Side.BUY`` works and the dtype does not depend on which
members the data happens to hold.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from influxorm.exceptions import ValidationError
from influxorm.frames.columns import FieldKind, row_label
from influxorm.frames.encoder import DEFAULT_BATCH_ROWS, EncodedFrame, encode_dataframe
from influxorm.frames.ops import FrameOps
from influxorm.models.schema import Column, Schema, schema_of
from influxorm.models.serializer import PLACEHOLDER_FIELD
from influxorm.results.frames import response_to_frames

__all__ = ["encode_model_dataframe", "frame_from_response_for_model", "model_frame"]

_KINDS: dict[type, FieldKind] = {float: "float", int: "integer", bool: "boolean", str: "string"}
_NULLABLE: dict[str, Any] = {"integer": "Int64", "boolean": "boolean", "float": "float64"}


def _kind(column: Column) -> FieldKind:
    return _KINDS.get(column.value_type, "string")


def _error(schema: Schema, message: str, **details: Any) -> ValidationError:
    model = schema.model.__qualname__
    return ValidationError(f"{model}: {message}", model=model, **details)


def encode_model_dataframe(
    model: type[Any],
    df: pd.DataFrame,
    *,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    ops: FrameOps | None = None,
) -> EncodedFrame:
    """Encode ``df`` (columns named by ``model``'s attributes) as the model's line protocol.

    The time comes from the time attribute's column when the frame has one (datetimes,
    int nanoseconds or ISO-8601 text), else from a DatetimeIndex. Columns that are not
    attributes of the model are refused; a non-optional attribute must be a column and
    have no holes; optional ones may be absent or hold holes (left out of their lines).

    Raises:
        ValidationError: naming the model, the attribute and the row.
    """
    schema = schema_of(model)
    frame = df
    time_attr = schema.time.attr
    if time_attr in frame.columns:
        frame = frame.set_index(_time_index(schema, frame[time_attr]))
    unknown = [c for c in frame.columns if not isinstance(c, str) or schema.get(c) is None]
    if unknown:
        known = ", ".join(c.attr for c in (*schema.tags, *schema.fields))
        raise _error(schema, f"columns {unknown!r} are not attributes (attributes: {known})")
    columns: dict[str, pd.Series] = {}
    field_types: dict[Hashable, FieldKind] = {}
    for column in (*schema.tags, *schema.fields):
        if column.attr not in frame.columns:
            if not column.optional:
                raise _error(
                    schema, f"the frame has no column {column.attr!r}", attribute=column.attr
                )
            continue
        series = frame[column.attr]
        if not column.optional:
            holes = series.isna().to_numpy(dtype=bool)
            if holes.any():
                where = row_label(frame.index, int(np.argmax(holes)))
                raise _error(
                    schema,
                    f"{column.attr} is missing at row {where} but is not declared optional",
                    attribute=column.attr,
                )
        if column.is_enum:
            series = _enum_values(schema, column, series)
        kind = _kind(column)
        if column in schema.fields:
            field_types[column.key] = kind
        columns[column.key] = series
    tag_keys = [c.key for c in schema.tags if c.key in columns]
    if not schema.fields:
        columns[PLACEHOLDER_FIELD] = pd.Series(True, index=frame.index)
    out = pd.DataFrame(columns, index=frame.index, copy=False)
    return encode_dataframe(
        out,
        measurement=schema.measurement,
        tag_columns=tag_keys,
        extra_tags=dict(schema.extra_tags),
        field_types=field_types,
        batch_rows=batch_rows,
        ops=ops,
    )


def _time_index(schema: Schema, values: pd.Series) -> pd.DatetimeIndex:
    try:
        if pd.api.types.is_integer_dtype(values.dtype):
            return pd.DatetimeIndex(pd.to_datetime(values.to_numpy(), unit="ns", utc=True))
        return pd.DatetimeIndex(pd.to_datetime(values, utc=True, format="ISO8601"))
    except (ValueError, TypeError, OverflowError) as exc:
        message = f"column {schema.time.attr!r}: {exc}"
        raise _error(schema, message, attribute=schema.time.attr) from None


def _enum_values(schema: Schema, column: Column, series: pd.Series) -> pd.Series:
    """Members (or their raw values) -> raw values, checked once per distinct value."""
    enum_type: type[enum.Enum] = column.python_type
    codes, distinct = pd.factorize(series)
    raw: list[Any] = []
    for value in distinct:
        if isinstance(value, enum_type):
            raw.append(value.value)
            continue
        try:
            raw.append(enum_type(value).value)
        except ValueError:
            raise _error(
                schema,
                f"{column.attr} must hold {enum_type.__qualname__} members or their values, "
                f"not {value!r}",
                attribute=column.attr,
                value=value,
            ) from None
    remap, categories = pd.factorize(pd.Series(raw, dtype=object))
    # A member and its raw value are one category; -1 (missing) stays -1.
    codes = np.where(codes < 0, -1, np.append(remap, -1)[codes])
    categories = pd.Index(list(categories))
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories), index=series.index)


def model_frame(model: type[Any], frame: pd.DataFrame) -> pd.DataFrame:
    """A query result frame with ``model``'s attribute names and declared dtypes.

    Columns that are InfluxDB keys of the model are renamed to their attributes and typed
    (see the module doc); the model's ``extra_tags`` columns are dropped; other columns
    (aggregates, fields the model does not declare) are kept as they are. The index is
    named after the time attribute.
    """
    schema = schema_of(model)
    extra = {key for key, _ in schema.extra_tags}
    data: dict[str, Any] = {}
    for name in frame.columns:
        column = schema.get(str(name))
        if column is None or column is schema.time:
            if name not in extra:
                data[str(name)] = frame[name]
            continue
        data[column.attr] = _declared(schema, column, frame[name])
    out = pd.DataFrame(data, index=frame.index, copy=False)
    if isinstance(out.index, pd.DatetimeIndex):
        out.index.name = schema.time.attr
    return out


def _declared(schema: Schema, column: Column, series: pd.Series) -> Any:
    if column.is_enum:
        enum_type: type[enum.Enum] = column.python_type
        members = list(enum_type)
        by_value = {member.value: i for i, member in enumerate(members)}
        codes, distinct = pd.factorize(series)
        try:
            mapping = np.array([by_value[value] for value in distinct] + [-1], dtype=np.int64)
        except KeyError as exc:
            raise _error(
                schema,
                f"{column.attr} holds {exc.args[0]!r}, which is not a value of "
                f"{enum_type.__qualname__}",
                attribute=column.attr,
                value=exc.args[0],
            ) from None
        return pd.Categorical.from_codes(mapping[codes], categories=pd.Index(members, dtype=object))
    kind = _kind(column)
    has_holes = bool(series.isna().any())
    if kind == "float":
        return series.astype(np.float64)
    if kind == "string":
        return series if series.dtype == "str" else series.astype("str")
    if has_holes:
        return series.astype(_NULLABLE[kind])
    return series.astype(np.int64 if kind == "integer" else bool)


def frame_from_response_for_model(
    model: type[Any], responses: Mapping[str, Any] | Iterable[Mapping[str, Any]]
) -> pd.DataFrame:
    """The model-typed frame of a one-statement response (or its decoded chunks)."""
    frames = response_to_frames(responses)
    frame = frames[0] if frames else pd.DataFrame()
    if not isinstance(frame, pd.DataFrame):
        raise TypeError("frame_from_response_for_model reads one frame, not a dict by series")
    return model_frame(model, frame)
