"""Column-wise string operations behind the DataFrame encoder, in two backends.

:class:`ArrowOps` (used when pyarrow is installed, the ``fast`` extra) does every step in
Arrow's C++ kernels and hands out batches straight from Arrow's data buffer.
:class:`NumpyOps` needs nothing beyond numpy: values are formatted by C-level maps
(``float.__repr__``, ``int.__repr__``), escaped with ``numpy.strings`` and joined with one
``str.join`` per batch. Both produce the same lines up to float spelling (``1`` vs ``1.0``).

A backend's "values" are string arrays with one entry per row; entries of missing rows
are unspecified: the encoder only ever reads them through :meth:`fragment`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd
from numpy.dtypes import StringDType

from influxorm.exceptions import ValidationError
from influxorm.results._escape import BREAKING_CHARACTERS
from influxorm.results._frame_columns import FieldKind, row_label

__all__ = ["ArrowOps", "FrameOps", "NumpyOps", "default_ops"]


class FrameOps(Protocol):
    """What the encoder needs from a backend."""

    def field_values(self, series: pd.Series, kind: FieldKind) -> Any:
        """Formatted field values (``1.5``, ``3i``, ``t``, ``"quoted"``)."""

    def tag_values(self, series: pd.Series, column: Hashable) -> Any:
        """Validated, escaped tag values."""

    def timestamps(self, ns: np.ndarray) -> Any:
        """`` <ns>\\n`` per row: the end of every line."""

    def fragment(
        self,
        values: Any,
        present: np.ndarray,
        first: np.ndarray | None,
        key_first: str,
        key_rest: str,
    ) -> Any:
        """``key + value`` where present (``key_first`` where ``first``), else empty."""

    def batches(self, parts: Sequence[Any], keep: np.ndarray, batch_rows: int) -> Iterator[bytes]:
        """Concatenate ``parts`` (values or constant str) row-wise; yield kept rows in batches."""


def _category_codes(series: pd.Series) -> tuple[pd.Series, np.ndarray] | None:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return pd.Series(series.cat.categories), series.cat.codes.to_numpy()
    return None


def _objects(series: pd.Series) -> np.ndarray:
    """A writable object array of the column's values (missing ones are NaN/None/NA)."""
    return np.array(series.to_numpy(dtype=object), dtype=object)


def _raise_breaking(texts: Sequence[str | None], index: pd.Index, column: Hashable) -> None:
    for position, text in enumerate(texts):
        if text is None:
            continue
        for char in BREAKING_CHARACTERS:
            if char in text:
                raise ValidationError(
                    f"tag column {column!r} holds {text!r} at row {row_label(index, position)}: "
                    f"{char!r} cannot be written in a tag value",
                    attribute=str(column),
                    value=text,
                )
        if text.endswith("\\"):
            raise ValidationError(
                f"tag column {column!r} holds {text!r} at row {row_label(index, position)}: a tag "
                "value ending in a backslash cannot be represented in line protocol",
                attribute=str(column),
                value=text,
            )


class NumpyOps:
    """Backend using numpy object and StringDType arrays only."""

    def _strings(self, series: pd.Series) -> np.ndarray:
        """Non-missing entries as Python str (objects are formatted with ``str``)."""
        values = _objects(series)
        present = ~pd.isna(values)
        if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
            values = values.copy()
            values[present] = list(map(str, values[present]))
        values[~present] = ""
        return values

    def field_values(self, series: pd.Series, kind: FieldKind) -> np.ndarray:
        coded = _category_codes(series)
        if coded is not None:
            categories, codes = coded
            formatted = self.field_values(categories, kind)
            out: np.ndarray = np.asarray(formatted, dtype=object)[codes]
            return out
        if kind == "float":
            values = series.to_numpy(dtype=np.float64, na_value=np.nan)
            if series.dtype == np.float32:
                return series.to_numpy().astype(StringDType()).astype(object)
            return np.array(list(map(float.__repr__, values.tolist())), dtype=object)
        if kind == "integer":
            ints = series.to_numpy(dtype=np.int64, na_value=0)
            ints_text: np.ndarray = np.array(list(map(int.__repr__, ints.tolist())), dtype=object)
            return ints_text + "i"
        if kind == "boolean":
            flags = series.to_numpy(dtype=bool, na_value=False)
            return np.where(flags, "t", "f").astype(object)
        text = self._strings(series).astype(StringDType())
        text = np.strings.replace(text, "\\", "\\\\")
        text = np.strings.replace(text, '"', '\\"')
        quoted: np.ndarray = ('"' + text + '"').astype(object)
        return quoted

    def tag_values(self, series: pd.Series, column: Hashable) -> np.ndarray:
        coded = _category_codes(series)
        if coded is not None:
            categories, codes = coded
            tags: np.ndarray = np.asarray(self.tag_values(categories, column), dtype=object)[codes]
            return tags
        plain = self._strings(series)
        text = plain.astype(StringDType())
        suspicious = np.strings.endswith(text, "\\")
        for char in BREAKING_CHARACTERS:
            suspicious |= np.strings.find(text, char) >= 0
        if suspicious.any():
            _raise_breaking(
                [t if s else None for t, s in zip(plain, suspicious, strict=True)],
                series.index,
                column,
            )
        for char in (",", "=", " "):
            text = np.strings.replace(text, char, "\\" + char)
        escaped: np.ndarray = text.astype(object)
        return escaped

    def timestamps(self, ns: np.ndarray) -> np.ndarray:
        stamps: np.ndarray = np.array(list(map(int.__repr__, ns.tolist())), dtype=object)
        return " " + stamps + "\n"

    def fragment(
        self,
        values: np.ndarray,
        present: np.ndarray,
        first: np.ndarray | None,
        key_first: str,
        key_rest: str,
    ) -> np.ndarray:
        keys = np.array(["", key_rest, key_first], dtype=object)
        choice = present.astype(np.intp)
        if first is not None:
            choice += first & present
        out: np.ndarray = keys[choice] + np.where(present, values, "")
        return out

    def batches(self, parts: Sequence[Any], keep: np.ndarray, batch_rows: int) -> Iterator[bytes]:
        rows = np.flatnonzero(keep)
        for start in range(0, len(rows), batch_rows):
            chosen = rows[start : start + batch_rows]
            matrix = np.empty((len(chosen), len(parts)), dtype=object)
            for j, part in enumerate(parts):
                matrix[:, j] = part if isinstance(part, str) else part[chosen]
            yield "".join(matrix.ravel().tolist())[:-1].encode("utf-8")


class ArrowOps:
    """Backend doing every step in Arrow compute kernels (needs pyarrow)."""

    def __init__(self) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        self._pa = pa
        self._pc = pc
        self._type = pa.large_string()

    def _scalar(self, text: str) -> Any:
        return self._pa.scalar(text, self._type)

    def _join(self, *parts: Any) -> Any:
        args = [self._scalar(p) if isinstance(p, str) else p for p in parts]
        return self._pc.binary_join_element_wise(*args, self._scalar(""))

    def _array(self, series: pd.Series) -> Any:
        return self._pa.array(series, from_pandas=True)

    def _strings(self, series: pd.Series) -> Any:
        pa = self._pa
        try:
            array = pa.array(series, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            array = None
        if array is None or not (
            pa.types.is_string(array.type) or pa.types.is_large_string(array.type)
        ):
            if array is not None and not pa.types.is_null(array.type):
                try:
                    return self._pc.cast(array, self._type)
                except pa.ArrowNotImplementedError:
                    pass
            values = _objects(series)
            present = ~pd.isna(values)
            values[present] = list(map(str, values[present]))
            values[~present] = None
            return pa.array(values, type=self._type)
        return self._pc.cast(array, self._type)

    def field_values(self, series: pd.Series, kind: FieldKind) -> Any:
        pc = self._pc
        coded = _category_codes(series)
        if coded is not None:
            categories, codes = coded
            formatted = self.field_values(categories, kind)
            return pc.take(formatted, self._pa.array(codes, mask=codes < 0))
        if kind == "float":
            return pc.cast(self._array(series), self._type)
        if kind == "integer":
            return self._join(pc.cast(self._array(series), self._type), "i")
        if kind == "boolean":
            return pc.if_else(self._array(series), self._scalar("t"), self._scalar("f"))
        text = self._strings(series)
        text = pc.replace_substring(text, "\\", "\\\\")
        text = pc.replace_substring(text, '"', '\\"')
        return self._join('"', text, '"')

    def tag_values(self, series: pd.Series, column: Hashable) -> Any:
        pc = self._pc
        coded = _category_codes(series)
        if coded is not None:
            categories, codes = coded
            return pc.take(
                self.tag_values(categories, column), self._pa.array(codes, mask=codes < 0)
            )
        text = self._strings(series)
        suspicious = pc.or_(
            pc.ends_with(text, "\\"), pc.match_substring_regex(text, "[\\n\\r\\x00\\x0c]")
        )
        if pc.any(suspicious).as_py():
            flags = pc.fill_null(suspicious, False).to_numpy(zero_copy_only=False)
            _raise_breaking(
                [t if f else None for t, f in zip(text.to_pylist(), flags, strict=True)],
                series.index,
                column,
            )
        return pc.replace_substring_regex(text, "([,= ])", "\\\\\\1")

    def timestamps(self, ns: np.ndarray) -> Any:
        return self._join(" ", self._pc.cast(self._pa.array(ns), self._type), "\n")

    def fragment(
        self,
        values: Any,
        present: np.ndarray,
        first: np.ndarray | None,
        key_first: str,
        key_rest: str,
    ) -> Any:
        pa, pc = self._pa, self._pc
        if first is None or not first.any():
            key: Any = self._scalar(key_rest)
        elif first.all():
            key = self._scalar(key_first)
        else:
            key = pc.if_else(pa.array(first), self._scalar(key_first), self._scalar(key_rest))
        joined = self._join(key, values)
        if present.all():
            return joined
        return pc.fill_null(pc.if_else(pa.array(present), joined, self._scalar("")), "")

    def batches(self, parts: Sequence[Any], keep: np.ndarray, batch_rows: int) -> Iterator[bytes]:
        pa = self._pa
        total = len(keep)
        everything = bool(keep.all())
        for start in range(0, total, batch_rows):
            size = min(batch_rows, total - start)
            sliced = [p if isinstance(p, str) else p.slice(start, size) for p in parts]
            lines = self._join(*sliced)
            if not everything:
                lines = lines.filter(pa.array(keep[start : start + size]))
            if len(lines) == 0:
                continue
            offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
            begin, end = offsets[lines.offset], offsets[lines.offset + len(lines)]
            yield lines.buffers()[2][begin : end - 1].to_pybytes()


def default_ops() -> FrameOps:
    """:class:`ArrowOps` when pyarrow is importable, else :class:`NumpyOps`."""
    try:
        return ArrowOps()
    except ImportError:
        return NumpyOps()
