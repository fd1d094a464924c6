"""Progress reporters: plain text, tqdm, and the choice for a terminal."""

from __future__ import annotations

import io

import pytest

from influxorm.progress import (
    ProgressReporter,
    TextProgress,
    TqdmProgress,
    points_written,
    terminal_progress,
    tqdm_progress,
)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_text_progress_writes_a_line_per_report_off_a_terminal() -> None:
    stream = io.StringIO()
    with TextProgress(stream, min_interval=0) as progress:
        progress(5, 10, "points written")
        progress(10, 10, "points written")
        progress(1_500, None, "rows imported")
    assert stream.getvalue().splitlines() == [
        "points written: 5 of 10 (50%)",
        "points written: 10 of 10 (100%)",
        "rows imported: 1,500",
    ]


def test_text_progress_rewrites_one_line_on_a_terminal_and_shows_the_last_report() -> None:
    stream = _Terminal()
    progress = TextProgress(stream, min_interval=3600)
    progress(1, 3, "x")
    progress(2, 3, "x")  # too soon: kept until close
    progress(3, 3, "x")
    progress.close()
    assert stream.getvalue() == "\r\x1b[Kx: 1 of 3 (33%)\r\x1b[Kx: 3 of 3 (100%)\n"


def test_tqdm_progress_follows_cumulative_counts() -> None:
    pytest.importorskip("tqdm")
    stream = io.StringIO()
    with tqdm_progress(file=stream, mininterval=0) as progress:
        progress(4, None, "points written")
        progress(10, 20, "points written")
        bar = progress._bar
        assert (bar.n, bar.total, bar.desc) == (10, 20, "points written")
    assert progress._bar is None
    assert "points written" in stream.getvalue()


def test_tqdm_progress_takes_a_total_of_its_own() -> None:
    pytest.importorskip("tqdm")
    stream = io.StringIO()
    with tqdm_progress(total=50, file=stream, mininterval=0, desc="load") as progress:
        progress(4, None, "points written")  # the first report made the bar: no TypeError
        assert (progress._bar.n, progress._bar.total, progress._bar.desc) == (4, 50, "load")
        progress(10, 20, "points written")  # the caller's total stands
        assert (progress._bar.n, progress._bar.total) == (10, 50)
    assert "10.0/50.0" in stream.getvalue()


def test_reporters_are_progress_reporters() -> None:
    assert isinstance(TextProgress(io.StringIO()), ProgressReporter)
    pytest.importorskip("tqdm")
    assert isinstance(tqdm_progress(), ProgressReporter)


def test_terminal_progress_only_on_a_terminal() -> None:
    assert terminal_progress(io.StringIO()) is None
    reporter = terminal_progress(_Terminal())
    assert isinstance(reporter, TqdmProgress | TextProgress)


def test_terminal_progress_falls_back_to_text_without_tqdm(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    assert isinstance(terminal_progress(_Terminal()), TextProgress)
    with pytest.raises(ImportError, match=r"influxorm\[progress\]"):
        tqdm_progress()


def test_points_written_adapts_writer_counters() -> None:
    from types import SimpleNamespace

    reports: list[tuple[int, int | None, str]] = []
    on_progress = points_written(lambda *report: reports.append(report), total=10)
    on_progress(SimpleNamespace(points_written=4))
    on_progress(SimpleNamespace(points_written=10))
    assert reports == [(4, 10, "points written"), (10, 10, "points written")]
