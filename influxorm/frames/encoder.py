"""DataFrame -> line protocol, column-wise (no Python code runs per row).

The index gives the time (a DatetimeIndex; tz-naive means UTC); columns named in
``tag_columns`` become tags, every other column a field typed by its dtype (or by
``field_types``). Missing cells (NaN, None, ``pd.NA``, NaT) are left out of their line;
a row with no field left is left out entirely and counted in
:attr:`EncodedFrame.skipped_rows`. Everything is validated before anything is returned,
by the rules of :mod:`influxorm.lineprotocol` (names go through its functions; values
are checked column-wise and a flagged value is handed to them).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from enum import Enum
from typing import Any

import attrs
import numpy as np
import pandas as pd

from influxorm import lineprotocol as lp
from influxorm.exceptions import ValidationError
from influxorm.frames.columns import (
    FieldKind,
    check_encodable,
    coerce_field,
    field_kind_of,
    index_to_ns,
    tag_texts,
)
from influxorm.frames.ops import FieldPart, FrameOps, Piece, TagPart, default_ops

__all__ = ["DEFAULT_BATCH_ROWS", "EncodedFrame", "FieldKind", "encode_dataframe"]

_DENSE_TAG_SETS = 1 << 22
"""Up to this many possible tag-value combinations, tag sets are numbered without hashing."""

DEFAULT_BATCH_ROWS = 10_000
"""Lines per batch: the size the server ingests fastest (INFLUXDB_NOTES.md)."""


@attrs.frozen
class EncodedFrame:
    """A DataFrame encoded as line protocol.

    ``batches`` are bodies ready for ``/write``: up to ``batch_rows`` lines each, joined by
    ``\\n`` with no trailing newline. ``skipped_rows`` counts rows left out because all
    their fields were missing; ``skipped_labels`` holds their index labels.
    """

    batches: tuple[bytes, ...]
    rows: int
    skipped_rows: int
    skipped_labels: pd.Index

    def lines(self) -> list[str]:
        """The batches as text, one str per batch (each holds many lines)."""
        return [batch.decode("utf-8") for batch in self.batches]


def _tag_text(key: object, value: object) -> str:
    """A constant tag's value: a str, or an Enum member's str value; anything else is
    refused rather than written as its ``str()`` (a dict would become a tag ``"{...}"``)."""
    if isinstance(value, Enum):
        value = value.value
    if not isinstance(value, str):
        raise ValidationError(
            f"extra tag {key!r} must be a str, not {type(value).__name__}: {value!r:.80} "
            "(constant tags are keywords: write(df, measurement=..., region='eu'))",
            value=value,
        )
    return value


def encode_dataframe(
    df: pd.DataFrame,
    *,
    measurement: str,
    tag_columns: Iterable[Hashable] = (),
    extra_tags: Mapping[str, str] | None = None,
    field_types: Mapping[Hashable, FieldKind] | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    ops: FrameOps | None = None,
) -> EncodedFrame:
    """Encode ``df`` as line protocol for ``measurement``.

    Args:
        df: the frame; its index must be a DatetimeIndex.
        measurement: the measurement name.
        tag_columns: columns written as tags; all others are fields.
        extra_tags: tags added to every line (``write(df, ..., region="eu")``).
        field_types: declared kinds per column, overriding the dtype (model-driven writes:
            an ``int`` field stored as float because of holes is written as ``i``).
        batch_rows: lines per batch.
        ops: the string backend; Arrow when pyarrow is installed.

    Raises:
        ValidationError: bad names, ±inf, ints beyond int64, a tag value holding a line
            break or ending in a backslash, duplicate or reserved keys, a non-datetime index.
    """
    if batch_rows < 1:
        raise ValidationError(f"batch_rows must be positive, got {batch_rows}")
    ops = ops if ops is not None else default_ops()
    measurement_text = lp.escape_measurement(lp.check_measurement(measurement))
    tags = list(dict.fromkeys(tag_columns))
    missing = [c for c in tags if c not in df.columns]
    if missing:
        raise ValidationError(f"tag_columns {missing!r} are not columns of the frame")
    if not df.columns.is_unique:
        raise ValidationError("the frame has duplicate column names")
    declared = dict(field_types or {})
    fields = [c for c in df.columns if c not in tags]
    if not fields:
        raise ValidationError("a DataFrame write needs at least one field column")
    constant = {
        str(k): lp.escape_key(lp.check_tag_value(text, attribute=str(k)))
        for k, v in (extra_tags or {}).items()
        if (text := _tag_text(k, v))  # an empty tag is left out, as on every path
    }
    clash = {str(c) for c in tags} & constant.keys()
    if clash:
        raise ValidationError(f"tags {sorted(clash)!r} are given both as columns and as extra tags")

    times = index_to_ns(df.index)
    n = len(df)

    field_keys = [lp.escape_key(lp.check_field_key(str(c))) for c in fields]
    if len(set(field_keys)) != len(field_keys):
        raise ValidationError("two field columns have the same name once converted to str")
    prepared = []
    for column in fields:
        series = df[column]
        actual = field_kind_of(series, column)
        kind = declared.get(column) or actual
        series = coerce_field(series, kind, column, actual)
        prepared.append((series, kind, series.notna().to_numpy(dtype=bool)))
    presence = np.stack([p for _, _, p in prepared], axis=1) if n else np.zeros((0, 1), bool)
    keep: np.ndarray = np.asarray(presence.any(axis=1), dtype=bool)

    longest = max(len(str(c).encode()) for c in fields)
    prefix = _tag_set_prefix(df, tags, constant, measurement_text, ops, longest)
    parts: list[FieldPart] = []
    for (series, kind, present), key in zip(prepared, field_keys, strict=True):
        pieces = ops.field_values(series, kind)
        parts.append((key, pieces, None if present.all() else present))
    everything = bool(keep.all())
    batches = (
        tuple(ops.lines(prefix, parts, times, None if everything else keep, batch_rows))
        if n
        else ()
    )
    skipped = ~keep
    return EncodedFrame(
        batches=batches,
        rows=int(keep.sum()),
        skipped_rows=int(skipped.sum()),
        skipped_labels=df.index[skipped],
    )


def _tag_set_prefix(
    df: pd.DataFrame,
    tags: list[Hashable],
    constant: Mapping[str, str],
    measurement: str,
    ops: FrameOps,
    longest_field_key: int,
) -> Piece:
    """The ``measurement,key=value,...`` start of every line, one entry per row.

    Tag values repeat a lot, so each tag column is factorized: its distinct values are
    validated and escaped once, each distinct tag set is built once (and its series key
    checked against the server's limit), and rows take theirs.
    """
    entries: list[tuple[str, str, np.ndarray | None, Any]] = [
        (key, lp.escape_key(lp.check_tag_key(key)), None, value) for key, value in constant.items()
    ]
    for column in tags:
        series = df[column]
        codes, uniques = pd.factorize(series)
        codes = np.asarray(codes, dtype=np.int64)
        distinct = tag_texts(pd.Series(uniques), column)
        escaped = _escaped_tag_values(ops, distinct, series.index, codes, column)
        # An empty tag value is rejected by the server: it is written as missing.
        empty = np.flatnonzero((distinct == "").to_numpy(dtype=bool, na_value=False))
        if empty.size:
            codes[codes == empty[0]] = -1
        key = lp.escape_key(lp.check_tag_key(str(column)))
        entries.append((str(column), key, codes, escaped))
    entries.sort(key=lambda entry: entry[0])
    if not tags or not len(df):
        fixed = measurement + "".join(
            f",{key}={value}" for _, key, _, value in entries if isinstance(value, str)
        )
        lp.check_series_key(fixed, longest_field_key)
        return fixed

    columns = [(c, len(escaped) + 1) for _, _, c, escaped in entries if c is not None]
    set_codes, set_tag_codes = _number_tag_sets(columns, len(df))

    pieces: list[TagPart] = []
    chosen_codes = iter(set_tag_codes)
    for _, key, tag_codes, escaped in entries:
        if tag_codes is None:
            pieces.append(f",{key}={escaped}")
        else:
            chosen = next(chosen_codes)
            pieces.append((key, ops.take(escaped, chosen), chosen >= 0))
    heads = ops.tag_sets(measurement, pieces, len(set_tag_codes[0]))
    _check_series_keys(ops, heads, longest_field_key)
    return ops.take(heads, set_codes)


def _check_series_keys(ops: FrameOps, heads: Any, longest_field_key: int) -> None:
    """Refuse a distinct tag set whose series key is longer than the server accepts."""
    limit = lp.MAX_SERIES_KEY - 4 - longest_field_key
    for position in np.flatnonzero(ops.byte_lengths(heads) > limit).tolist():
        lp.check_series_key(ops.text_at(heads, position), longest_field_key)


def _escaped_tag_values(
    ops: FrameOps, distinct: pd.Series, index: pd.Index, codes: np.ndarray, column: Hashable
) -> Any:
    """Validated, escaped distinct values (``codes``: each row's, from factorizing)."""
    try:
        check_encodable(distinct, column, "tag column")
        return ops.tag_values(distinct, column)
    except ValidationError as exc:
        error = exc
    # Check again with each distinct value labelled by its first row, to name that row.
    values, first = np.unique(codes, return_index=True)
    labelled = distinct.set_axis(index[first[values >= 0]])
    check_encodable(labelled, column, "tag column")
    ops.tag_values(labelled, column)
    raise error


def _number_tag_sets(
    columns: list[tuple[np.ndarray, int]], rows: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Number the distinct tag sets of the rows.

    ``columns`` holds each tag column's codes (-1: missing) and their count plus one.
    Returns every row's tag-set number and, per tag column, each set's code.
    """
    widths = [width for _, width in columns]
    combined = np.zeros(rows, dtype=np.int64)
    if math.prod(widths) <= _DENSE_TAG_SETS:
        # Mixed-radix numbers of the codes: each distinct number is a distinct tag set.
        for codes, width in columns:
            combined = combined * width + (codes + 1)
        seen = np.bincount(combined, minlength=math.prod(widths)) > 0
        set_codes: np.ndarray = (np.cumsum(seen) - 1)[combined]
        rest = np.flatnonzero(seen)
        per_tag: list[np.ndarray] = []
        for width in reversed(widths):
            per_tag.insert(0, rest % width - 1)
            rest = rest // width
        return set_codes, per_tag
    size = 1
    for codes, width in columns:
        if size * width >= 2**62:
            renumbered, distinct = pd.factorize(combined)
            combined, size = np.asarray(renumbered, dtype=np.int64), len(distinct)
        combined = combined * width + (codes + 1)
        size *= width
    set_codes = np.asarray(pd.factorize(combined)[0], dtype=np.int64)
    # Numbers are given in order of first appearance: each first row raises the running max.
    first = np.flatnonzero(np.diff(np.maximum.accumulate(set_codes), prepend=-1) > 0)
    return set_codes, [codes[first] for codes, _ in columns]
