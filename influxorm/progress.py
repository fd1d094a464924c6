"""Progress reporting for long operations: bulk writes, exports, imports, large frames.

Whatever does the work takes an optional ``progress`` argument: any callable
``progress(done, total, what)`` (see :class:`Progress`). It is called after each unit of
work has completed (a batch acknowledged by the server, a chunk written to a file) with

* ``done``: the cumulative count so far (points, rows), never decreasing;
* ``total``: the expected final count, or ``None`` when it is not known in advance;
* ``what``: a short label of what is counted, e.g. ``"points written"``.

A plain function or lambda is enough; the reporters below also have ``close()`` and are
context managers. :func:`tqdm_progress` draws a tqdm bar (``pip install influxorm[progress]``),
:class:`TextProgress` writes plain text, and :func:`terminal_progress` picks the better of
the two for a stream, or ``None`` when the stream is not a terminal.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol, Self, TextIO, runtime_checkable

__all__ = [
    "Progress",
    "ProgressReporter",
    "TextProgress",
    "TqdmProgress",
    "points_written",
    "terminal_progress",
    "tqdm_progress",
]


class Progress(Protocol):
    """A progress callback: ``progress(done, total, what)``; see the module documentation."""

    def __call__(self, done: int, total: int | None, what: str) -> None: ...


@runtime_checkable
class ProgressReporter(Protocol):
    """A :class:`Progress` callback that holds a display and must be closed."""

    def __call__(self, done: int, total: int | None, what: str) -> None: ...

    def close(self) -> None:
        """Finish the display (a final line, a closed bar)."""


class _WriteCounters(Protocol):
    @property
    def points_written(self) -> int: ...


def points_written(
    progress: Progress, *, total: int | None = None, what: str = "points written"
) -> Callable[[_WriteCounters], None]:
    """Adapt ``progress`` to the bulk writer's ``on_progress`` (which passes its counters)::

    with tqdm_progress() as bar:
        async with session.writer(on_progress=points_written(bar, total=len(rows))) as w:
            ...
    """

    def report(counters: _WriteCounters) -> None:
        progress(counters.points_written, total, what)

    return report


class _Closing:
    """Context-manager support for reporters: ``with reporter: ...`` closes it."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _describe(done: int, total: int | None, what: str) -> str:
    if total:
        return f"{what}: {done:,} of {total:,} ({min(done / total, 1.0):.0%})"
    return f"{what}: {done:,}"


class TextProgress(_Closing):
    """Plain-text progress on ``stream`` (default: ``sys.stderr``).

    On a terminal one line is rewritten in place; elsewhere a line is written per report.
    Reports closer together than ``min_interval`` seconds are skipped, except the last one
    before :meth:`close`.
    """

    def __init__(self, stream: TextIO | None = None, *, min_interval: float = 0.2) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._inline = self._stream.isatty()
        self._min_interval = min_interval
        self._last_shown = float("-inf")
        self._pending: str | None = None
        self._shown_any = False

    def __call__(self, done: int, total: int | None, what: str) -> None:
        text = _describe(done, total, what)
        now = time.monotonic()
        if now - self._last_shown < self._min_interval:
            self._pending = text
            return
        self._last_shown = now
        self._show(text)

    def _show(self, text: str) -> None:
        self._pending = None
        self._shown_any = True
        if self._inline:
            self._stream.write(f"\r\x1b[K{text}")
        else:
            self._stream.write(f"{text}\n")
        self._stream.flush()

    def close(self) -> None:
        """Show the last report if it was skipped, and end the line."""
        if self._pending is not None:
            self._show(self._pending)
        if self._inline and self._shown_any:
            self._stream.write("\n")
            self._stream.flush()
        self._shown_any = False


class TqdmProgress(_Closing):
    """A tqdm bar fed by progress reports; made by :func:`tqdm_progress`.

    The bar is created at the first report, with ``what`` as its description and
    ``total`` as its total (updated if a later report knows better). Options given here
    win over the reports: ``desc=`` over ``what``, and ``total=`` over the reports'
    totals (for a bar shared by several writes, or a write whose size is not known).
    """

    def __init__(self, **tqdm_options: Any) -> None:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            raise ImportError(
                "tqdm_progress() needs tqdm: pip install 'influxorm[progress]'"
            ) from None
        self._factory = tqdm
        self._total: int | float | None = tqdm_options.pop("total", None)
        self._options = tqdm_options
        self._bar: Any = None

    def __call__(self, done: int, total: int | None, what: str) -> None:
        if self._total is not None:
            total = None  # the caller's total stands
        if self._bar is None:
            options = {"unit": " points", "unit_scale": True, "desc": what, **self._options}
            self._bar = self._factory(total=self._total if total is None else total, **options)
        elif total is not None and self._bar.total != total:
            self._bar.total = total
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        """Close the bar (it stays on screen with its final count)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def tqdm_progress(**tqdm_options: Any) -> TqdmProgress:
    """A progress reporter drawing a tqdm bar; ``tqdm_options`` go to ``tqdm(...)``.

    ::

        with tqdm_progress(unit=" rows") as progress:
            await session.write(df, measurement="prices", progress=progress)

    Raises ImportError (naming the ``progress`` extra) when tqdm is not installed.
    """
    return TqdmProgress(**tqdm_options)


def terminal_progress(stream: TextIO | None = None) -> ProgressReporter | None:
    """The best reporter for ``stream`` (default ``sys.stderr``), or None if not a terminal.

    A tqdm bar when tqdm is installed, else :class:`TextProgress`.
    """
    target = stream if stream is not None else sys.stderr
    if not target.isatty():
        return None
    try:
        return tqdm_progress(file=target)
    except ImportError:
        return TextProgress(target)
