"""Shared benchmark harness: throwaway influxd, one fresh subprocess per run, peak RSS, tables.

A benchmark module defines cases as plain functions ``case(ctx) -> Any`` and a ``setup``
function building what they share (``ctx``: a dict; the server's ``url`` and ``database``
when a server is used). :func:`run_cases` runs each case ``repeat`` times, every run in a
fresh interpreter (``python benchmarks/_harness.py <module> <case> <json ctx>``) so that
imports, caches and the heap of one case never flatter another, and prints one table.

Memory is peak RSS during the measured call minus the RSS right before it (Linux: the
child resets its high-water mark through ``/proc/self/clear_refs`` once setup is done and
reads ``VmHWM`` afterwards): that is what the call itself needed, data it returns included.

Run one benchmark module, or all of them as one table (``make bench``: ``run.py``), with
the bench venv, which holds the other clients::

    .bench-venv/bin/python benchmarks/dataframes.py [write|read]
    .bench-venv/bin/python benchmarks/run.py

``BENCH_REPEAT`` sets the runs per case (default 3), ``BENCH_ONLY`` keeps the cases whose
function name contains it.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

Context = dict[str, Any]


@dataclass(frozen=True)
class Case:
    """One benchmarked implementation: ``function`` is a name in the benchmark module."""

    label: str
    function: str
    baseline: bool = False


@dataclass
class Measured:
    """Best time over the runs, and the peak memory of the first run."""

    label: str
    seconds: float
    peak_bytes: int
    note: str = ""
    client_cpu: float = -1.0
    server_cpu: float = -1.0


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _server_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) influxd ``pid`` has used so far; -1 without a pid."""
    if not pid:
        return -1.0
    with open(f"/proc/{pid}/stat") as stat:
        # Fields after the command name (which may hold spaces): utime and stime are
        # the 14th and 15th of the whole line.
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def child(module_name: str, function: str, ctx: Context) -> dict[str, Any]:
    """Run one case in this (fresh) process: setup, then the timed, memory-measured call."""
    module = importlib.import_module(module_name)
    state = module.prepare(ctx) if hasattr(module, "prepare") else ctx
    fn: Callable[[Context], Any] = getattr(module, function)
    gc.collect()
    before = _status_kib("VmRSS")
    exact = _reset_peak()
    server_pid = ctx.get("server_pid")
    server_before = _server_cpu(server_pid)
    client_before = _client_cpu()
    start = time.perf_counter()
    result = fn(state)
    seconds = time.perf_counter() - start
    client_cpu = _client_cpu() - client_before
    server_cpu = _server_cpu(server_pid) - server_before if server_pid else -1.0
    peak = _status_kib("VmHWM")
    note = module.describe(result) if hasattr(module, "describe") else ""
    return {
        "seconds": seconds,
        "peak_bytes": (peak - before) * 1024 if exact else -1,
        "note": note,
        "client_cpu": client_cpu,
        "server_cpu": server_cpu,
    }


def run_case(module_name: str, case: Case, ctx: Context, repeat: int) -> Measured:
    """``repeat`` fresh-process runs of ``case``: best time, peak memory of the first run."""
    runs = []
    for _ in range(repeat):
        completed = subprocess.run(
            [sys.executable, __file__, module_name, case.function, json.dumps(ctx)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if completed.returncode:
            raise RuntimeError(f"{case.label} failed:\n{completed.stderr[-3000:]}")
        runs.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["seconds"])
    return Measured(
        case.label,
        best["seconds"],
        runs[0]["peak_bytes"],
        runs[0]["note"],
        best["client_cpu"],
        best["server_cpu"],
    )


@contextmanager
def influxd(database: str = "bench") -> Iterator[Context]:
    """A throwaway influxd with ``database`` created: yields ``{"url", "database"}``."""
    from influxorm.testing import InfluxDBServer

    with InfluxDBServer() as server:
        server.execute(f'CREATE DATABASE "{database}"')
        yield {"url": server.url, "database": database}


def run_cases(
    title: str, module_name: str, cases: Sequence[Case], ctx: Context, *, repeat: int = 3
) -> list[Measured]:
    """Measure every case and print the table (speed-up against the ``baseline`` case)."""
    measured = []
    for case in cases:
        try:
            result = run_case(module_name, case, ctx, repeat)
        except RuntimeError as exc:
            print(f"skipped {case.label}: {str(exc).splitlines()[-1]}", file=sys.stderr)
            continue
        measured.append(result)
        print(f"  {result.label}: {result.seconds:.3f} s", file=sys.stderr)
    labels = {c.label: c for c in cases}
    base = next((m.seconds for m in measured if labels[m.label].baseline), None)
    print_table(title, measured, base)
    return measured


def print_table(title: str, measured: Sequence[Measured], base: float | None) -> None:
    """A Markdown table: seconds, speed-up vs ``base``, peak memory (MiB), notes."""
    print(f"\n### {title}\n")
    print("| implementation | seconds (best) | speed-up | peak memory (MiB) | note |")
    print("|---|---:|---:|---:|---|")
    for m in measured:
        ratio = f"{base / m.seconds:.1f}x" if base else ""
        peak = f"{m.peak_bytes / 2**20:.0f}" if m.peak_bytes >= 0 else "n/a"
        print(f"| {m.label} | {m.seconds:.3f} | {ratio} | {peak} | {m.note} |")
    print()


def repeat_from_env(default: int = 3) -> int:
    """``BENCH_REPEAT`` overrides the number of fresh-process runs per case."""
    return int(os.environ.get("BENCH_REPEAT", default))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    name, func, raw = sys.argv[1], sys.argv[2], sys.argv[3]
    print(json.dumps(child(name, func, json.loads(raw))))
