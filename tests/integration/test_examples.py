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
