"""DataFrame -> line protocol, column-wise (no Python code runs per row).

The index gives the time (a DatetimeIndex; tz-naive means UTC); columns named in
``tag_columns`` become tags, every other column a field typed by its dtype (or by
``field_types``). Missing cells (NaN, None, ``pd.NA``, NaT) are left out of their line;
a row with no field left is left out entirely and counted in
:attr:`EncodedFrame.skipped_rows`. Everything is validated before anything is returned.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

import attrs
import numpy as np
import pandas as pd

from influxorm.exceptions import ValidationError
from influxorm.results._escape import escape_key, escape_measurement, escape_tag_value
from influxorm.results._frame_columns import FieldKind, coerce_field, field_kind_of, index_to_ns
from influxorm.results._frame_ops import FrameOps, default_ops

__all__ = ["DEFAULT_BATCH_ROWS", "EncodedFrame", "FieldKind", "encode_dataframe"]

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
    prefix = escape_measurement(measurement)
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
    constant = {str(k): escape_tag_value(str(v), str(k)) for k, v in (extra_tags or {}).items()}
    clash = {str(c) for c in tags} & constant.keys()
    if clash:
        raise ValidationError(f"tags {sorted(clash)!r} are given both as columns and as extra tags")

    times = index_to_ns(df.index)
    n = len(df)

    tag_parts: list[tuple[str, object]] = []
    for column in tags:
        series = df[column]
        key = escape_key(str(column), "tag key")
        present = series.notna().to_numpy(dtype=bool)
        if present.any() and field_kind_of(series, column) == "string":
            present = present & ~(series == "").to_numpy(dtype=bool, na_value=False)
        values = ops.tag_values(series, column)
        tag_parts.append((str(column), ops.fragment(values, present, None, "", f",{key}=")))
    for key, value in constant.items():
        tag_parts.append((key, f",{escape_key(key, 'tag key')}={value}"))
    tag_parts.sort(key=lambda item: item[0])

    field_keys = [escape_key(str(c), "field key") for c in fields]
    if len(set(field_keys)) != len(field_keys):
        raise ValidationError("two field columns have the same name once converted to str")
    prepared = []
    for column in fields:
        series = df[column]
        kind = declared.get(column) or field_kind_of(series, column)
        series = coerce_field(series, kind, column)
        prepared.append((series, kind, series.notna().to_numpy(dtype=bool)))
    presence = np.stack([p for _, _, p in prepared], axis=1) if n else np.zeros((0, 1), bool)
    keep: np.ndarray = np.asarray(presence.any(axis=1), dtype=bool)
    first_present = np.argmax(presence, axis=1)

    parts: list[object] = [prefix]
    parts.extend(part for _, part in tag_parts)
    for j, ((series, kind, present), key) in enumerate(zip(prepared, field_keys, strict=True)):
        values = ops.field_values(series, kind)
        first = first_present == j
        parts.append(ops.fragment(values, present, first, f" {key}=", f",{key}="))
    parts.append(ops.timestamps(times))

    batches = tuple(ops.batches(parts, keep, batch_rows)) if n else ()
    skipped = ~keep
    return EncodedFrame(
        batches=batches,
        rows=int(keep.sum()),
        skipped_rows=int(skipped.sum()),
        skipped_labels=df.index[skipped],
    )
