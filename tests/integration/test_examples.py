"""Every example runs by itself (on its own throwaway influxd) and prints what it should."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(name: str, *args: str, cwd: Path) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "INFLUXDB_URL"}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=cwd,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout.splitlines()


def test_iot_downsampling(tmp_path: Path) -> None:
    lines = _run("iot_downsampling.py", cwd=tmp_path)
    assert lines[0] == "wrote 96 readings"
    assert any('GROUP BY "sensor", time(1h) fill(null)' in line for line in lines)
    assert any("fill(previous)" in line for line in lines)
    # s3 is offline 02:00-04:00: null buckets, then the previous hour's values.
    assert lines.count("  2024-03-01T02:00:00Z  avg       -  peak      -") == 1
    assert lines.count("  2024-03-01T02:00:00Z  avg  20.425  peak  20.55") == 1
    assert "  2024-03-01T00:00:00Z  avg  18.125  peak  18.25" in lines


def test_aiohttp_app(tmp_path: Path) -> None:
    lines = _run("aiohttp_app.py", cwd=tmp_path)
    assert lines[0].startswith("serving on http://127.0.0.1:")
    assert lines[1] == (
        'GET /sensors/s1/latest -> 200 {"time": "2024-03-01T05:50:00Z", '
        '"temperature": 19.75, "humidity": null}'
    )
    assert lines[2] == 'GET /sensors/nope/latest -> 404 {"error": "no such sensor"}'


def test_notebook_blocking(tmp_path: Path) -> None:
    lines = _run("notebook_blocking.py", cwd=tmp_path)
    assert lines[:2] == ["inside a running event loop: True", "wrote 96 readings"]
    assert [line.split() for line in lines[-3:]] == [
        ["s1", "18.875"],
        ["s2", "19.875"],
        ["s3", "20.875"],
    ]


def test_plot_png(tmp_path: Path) -> None:
    if importlib.util.find_spec("matplotlib") is None:
        pytest.skip("matplotlib is not installed (the plot extra)")
    output = tmp_path / "temperature.png"
    lines = _run("plot_png.py", str(output), cwd=tmp_path)
    assert lines == [f"plotted 32 points of 3 sensors to {output}"]
    assert output.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_trades_demo(tmp_path: Path) -> None:
    """``make demo``: writes trades, reads them back as models, aggregates, bulk-writes."""
    lines = _run("trades.py", cwd=tmp_path)
    assert lines[0].startswith("started a throwaway influxd at http://127.0.0.1:")
    assert "async: wrote 300 trades" in lines
    assert [line for line in lines if line.endswith(" 100 trades")] == [
        "async: AAPL: 100 trades",
        "async: MSFT: 100 trades",
        "async: NVDA: 100 trades",
    ]
    assert "async: 100 NVDA trades" in lines
    assert any('WHERE "side" = $p0 AND "price" > 150.0' in line for line in lines)
    assert "async:   14:34:58 MSFT BUY 40 @ 174.5" in lines
    assert "async: bulk writer acknowledged 2000 more trades" in lines
    assert "blocking: wrote 50 more trades" in lines
    assert any(
        line.startswith("blocking: latest AAPL trade as a model instance: Trade(")
        and "side=<Side.BUY: 'BUY'>" in line
        for line in lines
    )
    assert any(line.startswith("blocking: a bad statement raises QueryError:") for line in lines)
    assert lines[-1] == "stopped the server and removed its files"
