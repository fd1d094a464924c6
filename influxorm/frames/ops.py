"""Column-wise string operations behind the DataFrame encoder, in two backends.

:class:`ArrowOps` (used when pyarrow is installed, the ``fast`` extra) does every step in
Arrow's C++ kernels: each line is built by one ``binary_join_element_wise`` over all of
its pieces, and batches are cut straight from Arrow's data buffer. :class:`NumpyOps` needs
nothing beyond numpy: floats are formatted by a C-level map of ``float.__repr__``,
integers and times by numpy's string dtype, text is escaped with ``numpy.strings`` only
when a column needs it, and each batch is joined with one ``str.join``. Both produce the
same lines up to float spelling (``1`` vs ``1.0``).

A backend's "values" are string arrays with one entry per row; entries of missing rows
are unspecified: the encoder marks them with ``present`` masks (``None``: all present).
A field's formatted value is a list of :data:`Piece` (a column or a constant ``str``)
so that quotes and the ``i`` suffix cost no pass of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd
from numpy.dtypes import StringDType

from influxorm import lineprotocol as lp
from influxorm.frames.columns import FieldKind, check_encodable, check_tag_values

__all__ = ["ArrowOps", "FieldPart", "FrameOps", "NumpyOps", "Piece", "TagPart", "default_ops"]

Piece = Any
"""A backend string column or a constant ``str``."""

FieldPart = tuple[str, Sequence[Piece], np.ndarray | None]
"""``(escaped key, value pieces, present mask or None when every row has a value)``."""

TagPart = str | tuple[str, Any, np.ndarray]
"""A constant ``,key=value`` or ``(escaped key, escaped values, present mask)``."""


class FrameOps(Protocol):
    """What the encoder needs from a backend."""

    def field_values(self, series: pd.Series, kind: FieldKind) -> list[Piece]:
        """Formatted field values as pieces (``1.5``; ``3`` + ``i``; ``"`` + text + ``"``)."""

    def tag_values(self, series: pd.Series, column: Hashable) -> Any:
        """Validated, escaped tag values."""

    def take(self, values: Any, codes: np.ndarray) -> Any:
        """``values[codes]``; a code of -1 gives a missing entry."""

    def byte_lengths(self, texts: Any) -> np.ndarray:
        """The UTF-8 length of each entry of a (resolved) string column."""

    def text_at(self, texts: Any, position: int) -> str:
        """One entry of a (resolved) string column."""

    def tag_sets(self, measurement: str, tags: Sequence[TagPart], rows: int) -> Any:
        """``measurement`` followed by ``,key=value`` for each tag present in each row.

        ``tags`` holds ``(escaped key, escaped values, present)`` or a constant
        ``,key=value`` in key order.
        """

    def lines(
        self,
        prefix: Piece,
        fields: Sequence[FieldPart],
        ns: np.ndarray,
        keep: np.ndarray | None,
        batch_rows: int,
    ) -> Iterator[bytes]:
        """Whole lines (``prefix fields time``) of the kept rows, ``batch_rows`` per body."""


def _category_codes(series: pd.Series) -> tuple[pd.Series, np.ndarray] | None:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return pd.Series(series.cat.categories), series.cat.codes.to_numpy()
    return None


def _objects(series: pd.Series) -> np.ndarray:
    """A writable object array of the column's values (missing ones are NaN/None/NA)."""
    return np.array(series.to_numpy(dtype=object), dtype=object)


def _contains_any(texts: np.ndarray, chars: Sequence[str]) -> bool:
    """Whether any str of an object array holds one of ``chars`` (one C-level scan)."""
    joined = "".join(texts.tolist())
    return any(char in joined for char in chars)


# A tag value holding one of these, or ending in a backslash, is handed to the validator.
_BREAKING_CLASS = "[" + "".join(f"\\x{ord(char):02x}" for char in lp.LINE_BREAKING) + "]"


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

    def field_values(self, series: pd.Series, kind: FieldKind) -> list[Piece]:
        coded = _category_codes(series)
        if coded is not None:
            categories, codes = coded
            formatted = self._concat(self.field_values(categories, kind), len(categories))
            return [self.take(formatted, codes)]
        if kind == "float":
            # float32 too is written as the float64 holding its exact value, as models do.
            values = series.to_numpy(dtype=np.float64, na_value=np.nan)
            return [np.array(list(map(float.__repr__, values.tolist())), dtype=object)]
        if kind == "integer":
            ints = series.to_numpy(dtype=np.int64, na_value=0)
            return [ints.astype(StringDType()).astype(object), "i"]
        if kind == "boolean":
            flags = series.to_numpy(dtype=bool, na_value=False)
            return [np.where(flags, "t", "f").astype(object)]
        plain = self._strings(series)
        joined = "".join(plain.tolist())
        if lp.first_unencodable(joined) >= 0:
            check_encodable(series, series.name, "string column")
        if "\\" not in joined and '"' not in joined:
            return ['"', plain, '"']
        text = plain.astype(StringDType())
        text = np.strings.replace(text, "\\", "\\\\")
        text = np.strings.replace(text, '"', '\\"')
        return ['"', text.astype(object), '"']

    def tag_values(self, series: pd.Series, column: Hashable) -> np.ndarray:
        coded = _category_codes(series)
        if coded is not None:
            categories, codes = coded
            return self.take(self.tag_values(categories, column), codes)
        plain = self._strings(series)
        text = plain.astype(StringDType())
        suspicious = np.strings.endswith(text, "\\")
        for char in lp.LINE_BREAKING:
            suspicious |= np.strings.find(text, char) >= 0
        if suspicious.any():
            check_tag_values(plain.tolist(), suspicious, series.index, column)
        if not _contains_any(plain, (",", "=", " ")):
            return plain
        for char in (",", "=", " "):
            text = np.strings.replace(text, char, "\\" + char)
        escaped: np.ndarray = text.astype(object)
        return escaped

    def byte_lengths(self, texts: Any) -> np.ndarray:
        items = np.asarray(texts, dtype=object).tolist()
        lengths = np.fromiter(map(len, items), dtype=np.int64, count=len(items))
        wide = np.flatnonzero(~np.fromiter(map(str.isascii, items), dtype=bool, count=len(items)))
        for position in wide.tolist():
            lengths[position] = len(items[position].encode())
        return lengths

    def text_at(self, texts: Any, position: int) -> str:
        return str(np.asarray(texts, dtype=object)[position])

    def take(self, values: np.ndarray, codes: np.ndarray) -> np.ndarray:
        if not len(values):  # a tag column missing in every row: no value to take
            return np.full(len(codes), "", dtype=object)
        taken: np.ndarray = np.asarray(values, dtype=object)[codes]
        if (codes < 0).any():
            taken[codes < 0] = ""
        return taken

    @staticmethod
    def _concat(pieces: Sequence[Piece], rows: int) -> np.ndarray:
        out = np.full(rows, "", dtype=object)
        for piece in pieces:
            out = out + piece
        return out

    def tag_sets(self, measurement: str, tags: Sequence[TagPart], rows: int) -> Any:
        out = np.full(rows, measurement, dtype=object)
        for part in tags:
            if isinstance(part, str):
                out = out + part
                continue
            key, values, present = part
            out = out + np.where(present, f",{key}=" + np.asarray(values, dtype=object), "")
        return out

    def lines(
        self,
        prefix: Piece,
        fields: Sequence[FieldPart],
        ns: np.ndarray,
        keep: np.ndarray | None,
        batch_rows: int,
    ) -> Iterator[bytes]:
        rows = len(ns)
        parts: list[Piece] = [prefix]
        first_present = None
        if fields[0][2] is not None:
            presence = [p if p is not None else np.ones(rows, bool) for _, _, p in fields]
            first_present = np.argmax(np.stack(presence, axis=1), axis=1)
        for j, (key, pieces, present) in enumerate(fields):
            if present is None and (first_present is None or j == 0):
                # The same key on every row: constants cost nothing per row.
                parts.append(f" {key}=" if j == 0 else f",{key}=")
                parts.extend(pieces)
                continue
            keys = np.array(["", f",{key}=", f" {key}="], dtype=object)
            choice = np.ones(rows, np.intp) if present is None else present.astype(np.intp)
            if first_present is not None:
                choice += (first_present == j) & (choice > 0)
            text = keys[choice] + self._concat(pieces, rows)
            if present is not None:
                text[~present] = ""
            parts.append(text)
        parts.extend((" ", ns.astype(StringDType()).astype(object), "\n"))
        chosen_rows = np.flatnonzero(keep) if keep is not None else np.arange(rows)
        for start in range(0, len(chosen_rows), batch_rows):
            chosen = chosen_rows[start : start + batch_rows]
            matrix = np.empty((len(chosen), len(parts)), dtype=object)
            for j, part in enumerate(parts):
                matrix[:, j] = part if isinstance(part, str) else part[chosen]
            yield "".join(matrix.ravel().tolist())[:-1].encode("utf-8")


class _Deferred:
    """A column formatted block by block: ``format(source[block])``.

    Formatting a whole column at once makes every step allocate (and page-fault) a fresh
    buffer of the column's full size; blocks of ~64k rows reuse warm memory.
    """

    __slots__ = ("format", "source")

    def __init__(self, source: Any, format: Callable[[Any], Any]) -> None:
        self.source = source
        self.format = format


class ArrowOps:
    """Backend doing every step in Arrow compute kernels (needs pyarrow)."""

    block_rows = 65_536

    def __init__(self) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        self._pa = pa
        self._pc = pc
        self._type = pa.large_string()

    def _scalar(self, text: str) -> Any:
        return self._pa.scalar(text, self._type)

    def _resolve(self, piece: Any) -> Any:
        return piece.format(piece.source) if isinstance(piece, _Deferred) else piece

    def _join(self, *parts: Any, null_handling: str = "emit_null", separator: str = "") -> Any:
        merged: list[Any] = []
        for part in parts:
            # Adjacent constants are merged so each costs nothing per row.
            if isinstance(part, str) and merged and isinstance(merged[-1], str):
                merged[-1] += part
            else:
                merged.append(part)
        args = [self._scalar(p) if isinstance(p, str) else self._resolve(p) for p in merged]
        options = self._pc.JoinOptions(null_handling=null_handling)
        return self._pc.binary_join_element_wise(*args, self._scalar(separator), options=options)

    def _array(self, series: pd.Series) -> Any:
        return self._pa.array(series, from_pandas=True)

    def _strings(self, series: pd.Series) -> Any:
        pa = self._pa
        try:
            array = pa.array(series, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            array = None
        except UnicodeEncodeError:  # a lone surrogate: say where, as the validator words it
            check_encodable(series, series.name, "string column")
            raise
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

    def _needs(self, text: Any, pattern: str) -> bool:
        return bool(self._pc.any(self._pc.match_substring_regex(text, pattern)).as_py())

    def _to_text(self, values: Any) -> Any:
        return self._pc.cast(values, self._type)

    def _to_flag(self, values: Any) -> Any:
        return self._pc.if_else(values, self._scalar("t"), self._scalar("f"))

    def _escape_string(self, text: Any) -> Any:
        if self._needs(text, '["\\\\]'):
            text = self._pc.replace_substring(text, "\\", "\\\\")
            text = self._pc.replace_substring(text, '"', '\\"')
        return text

    def field_values(self, series: pd.Series, kind: FieldKind) -> list[Piece]:
        coded = _category_codes(series)
        if coded is not None:
            categories, codes = coded
            return [self.take(self._join(*self.field_values(categories, kind)), codes)]
        if kind == "float":
            # float32 too is written as the float64 holding its exact value, as models do.
            floats = self._pc.cast(self._array(series), self._pa.float64())
            return [_Deferred(floats, self._to_text)]
        if kind == "integer":
            return [_Deferred(self._array(series), self._to_text), "i"]
        if kind == "boolean":
            return [_Deferred(self._array(series), self._to_flag)]
        return ['"', _Deferred(self._strings(series), self._escape_string), '"']

    def tag_values(self, series: pd.Series, column: Hashable) -> Any:
        pc = self._pc
        coded = _category_codes(series)
        if coded is not None:
            categories, codes = coded
            return self._resolve(self.take(self.tag_values(categories, column), codes))
        text = self._strings(series)
        suspicious = pc.or_(
            pc.ends_with(text, "\\"), pc.match_substring_regex(text, _BREAKING_CLASS)
        )
        if pc.any(suspicious).as_py():
            flags = pc.fill_null(suspicious, False).to_numpy(zero_copy_only=False)
            check_tag_values(text.to_pylist(), flags, series.index, column)
        if not self._needs(text, "[,= ]"):
            return text
        return pc.replace_substring_regex(text, "([,= ])", "\\\\\\1")

    def byte_lengths(self, texts: Any) -> np.ndarray:
        lengths = self._pc.binary_length(self._resolve(texts))
        return np.asarray(lengths.to_numpy(zero_copy_only=False), dtype=np.int64)

    def text_at(self, texts: Any, position: int) -> str:
        return str(self._resolve(texts)[position].as_py())

    def take(self, values: Any, codes: np.ndarray) -> Any:
        """Deferred: rows take their entry block by block."""
        values = self._resolve(values)
        if not len(values):
            return self._pa.nulls(len(codes), self._type)
        return _Deferred(self._pa.array(codes, mask=codes < 0), lambda idx: values.take(idx))

    def tag_sets(self, measurement: str, tags: Sequence[TagPart], rows: int) -> Any:
        pa = self._pa
        pieces: list[Any] = [measurement]
        for part in tags:
            if isinstance(part, str):
                pieces.append(part)
                continue
            key, values, present = part
            fragment = self._join(f",{key}=", values)
            if not present.all():
                fragment = self._pc.if_else(pa.array(present), fragment, self._scalar(""))
            pieces.append(fragment)
        return self._join(*pieces)

    def _slice(self, piece: Any, start: int, size: int, mask: Any) -> Any:
        if isinstance(piece, str):
            return piece
        if isinstance(piece, _Deferred):
            source = piece.source.slice(start, size)
            return piece.format(source if mask is None else source.filter(mask))
        block = piece.slice(start, size)
        return block if mask is None else block.filter(mask)

    def lines(
        self,
        prefix: Piece,
        fields: Sequence[FieldPart],
        ns: np.ndarray,
        keep: np.ndarray | None,
        batch_rows: int,
    ) -> Iterator[bytes]:
        pa, pc = self._pa, self._pc
        stamps = pa.array(ns)
        block_rows = batch_rows * max(1, self.block_rows // batch_rows)
        for start in range(0, len(ns), block_rows):
            size = min(block_rows, len(ns) - start)
            mask = None if keep is None else pa.array(keep[start : start + size])
            # Dropped rows go first: a "skip" join also drops rows whose pieces are all null.
            times = self._to_text(self._slice(stamps, start, size, mask))
            head = self._slice(prefix, start, size, mask)
            if all(present is None for _, _, present in fields):
                pieces: list[Piece] = [head]
                for j, (key, values, _) in enumerate(fields):
                    pieces.append(f"{',' if j else ' '}{key}=")
                    pieces.extend(self._slice(v, start, size, mask) for v in values)
                lines = self._join(*pieces, " ", times, "\n")
            else:
                fragments = []
                for key, values, present in fields:
                    block = [self._slice(v, start, size, mask) for v in values]
                    fragment = self._join(f"{key}=", *block)
                    if present is not None:
                        shown = present[start : start + size]
                        shown = shown if keep is None else shown[keep[start : start + size]]
                        fragment = pc.if_else(
                            pa.array(shown), fragment, pa.scalar(None, self._type)
                        )
                    fragments.append(fragment)
                joined = self._join(*fragments, null_handling="skip", separator=",")
                lines = self._join(head, " ", joined, " ", times, "\n")
            yield from self._cut(lines, batch_rows)

    def _cut(self, lines: Any, batch_rows: int) -> Iterator[bytes]:
        if len(lines) == 0:
            return
        offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset :]
        data = lines.buffers()[2]
        for start in range(0, len(lines), batch_rows):
            stop = min(start + batch_rows, len(lines))
            yield data[int(offsets[start]) : int(offsets[stop]) - 1].to_pybytes()


def default_ops() -> FrameOps:
    """:class:`ArrowOps` when pyarrow is importable, else :class:`NumpyOps`."""
    try:
        return ArrowOps()
    except ImportError:
        return NumpyOps()
