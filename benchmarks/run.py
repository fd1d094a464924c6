"""``make bench``: influxorm against the other Python clients, in one run, as one table.

Starts a throwaway influxd (``influxorm.testing``), fills it once with the benchmark
series (1M points, ``_trades``), runs every case in a fresh subprocess (``_harness``)
and prints one Markdown table: influxorm's rate, the best other library's, the ratio,
the raw ceiling measured in the same run and how close influxorm gets to it, and the
targets. Progress goes to stderr.

    .bench-venv/bin/python benchmarks/run.py [--quick]

``--quick`` runs each case once and leaves out the slowest libraries (influxdb-python,
influxdb-client's point API; without it they run once). ``BENCH_REPEAT`` sets the runs
per case (default 2, the best is kept).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _harness
import _trades
import dataframes
import queries
import serialization
import writes
from _harness import Case, Context, Measured

SLOW = {"influxdb_python_make_lines", "influxdb_client_points", "influxdb_python_write"}
SLOW |= {"influxdb_python_objects", "read_influxdb_python", "write_influxdb_python"}


@contextmanager
def server() -> Iterator[Context]:
    """A throwaway influxd holding the benchmark series in database ``bench``, snapshotted
    to TSM files (as data at rest is), so reads do not measure the write cache."""
    from influxorm.testing import InfluxDBServer

    config = {"data": {"cache-snapshot-write-cold-duration": "1s"}}
    with InfluxDBServer(extra_config=config) as influxd:
        influxd.execute('CREATE DATABASE "bench"')
        ctx: Context = {"url": influxd.url, "database": "bench", "server_pid": influxd.pid}
        print("filling the server with 1M points...", file=sys.stderr)
        queries.fill_server(ctx)
        deadline = time.monotonic() + 60
        while not list(influxd.data_dir.rglob("*.tsm")) and time.monotonic() < deadline:
            time.sleep(0.5)
        _trades.wait_until_idle(influxd.pid)
        yield ctx


class Runner:
    def __init__(self, repeat: int, quick: bool) -> None:
        self.repeat = repeat
        self.quick = quick
        self.results: dict[str, Measured | None] = {}

    def run(
        self, module: str, cases: list[Case], ctx_for: dict[str, Context], repeat: int = 0
    ) -> None:
        """Run the cases round-robin, ``repeat`` rounds (the slowest libraries once: they
        are far from the lead either way): a slow spell of a shared machine then hurts
        one run of every case rather than every run of one. Keeps the best time and the
        first run's peak memory."""
        rounds = repeat or self.repeat
        todo = [c for c in cases if not (self.quick and c.function in SLOW)]
        for round_ in range(rounds):
            for case in todo:
                if round_ and (case.function in SLOW or self.results.get(case.function) is None):
                    continue
                try:
                    measured = _harness.run_case(module, case, ctx_for[case.function], 1)
                except RuntimeError as exc:
                    print(f"  FAILED {case.label}: {str(exc).splitlines()[-1]}", file=sys.stderr)
                    self.results[case.function] = None
                    continue
                best = self.results.get(case.function)
                if best is not None and best.seconds <= measured.seconds:
                    measured = best
                elif best is not None:
                    measured.peak_bytes = best.peak_bytes
                self.results[case.function] = measured
                peak = f"{measured.peak_bytes / 2**20:.0f} MiB" if measured.peak_bytes >= 0 else ""
                print(
                    f"  {case.label}: {measured.seconds:.3f} s (best) {peak} {measured.note}",
                    file=sys.stderr,
                )

    def seconds(self, function: str) -> float | None:
        measured = self.results.get(function)
        return measured.seconds if measured else None

    def peak(self, function: str) -> float | None:
        measured = self.results.get(function)
        return measured.peak_bytes / 2**20 if measured and measured.peak_bytes >= 0 else None


LABELS = {
    c.function: c.label
    for c in [
        *serialization.CASES,
        *dataframes.WRITE_CASES,
        *dataframes.READ_CASES,
        *writes.CASES,
        *queries.OBJECT_CASES,
        *queries.ITERATE_CASES,
    ]
}


def _short(function: str) -> str:
    label = LABELS[function]
    return label.split(" ", 1)[0] if not label.startswith("ceiling") else label


def _rate(points: int, seconds: float | None) -> str:
    return f"{points / seconds / 1e6:.2f}M/s" if seconds else "failed"


def _heap(r: Runner, function: str) -> float | None:
    """The Python heap peak (MiB) a tracemalloc case reported in its note."""
    measured = r.results.get(function)
    found = re.search(r"heap peak ([0-9.]+) MiB", measured.note) if measured else None
    return float(found.group(1)) if found else None


def table(r: Runner, rows: int) -> str:
    out = [
        "| path (1M points) | influxorm | best other library | influxorm / other "
        "| ceiling (same run) | influxorm / ceiling | target |",
        "|---|---:|---|---:|---:|---:|---|",
    ]

    def speed_row(
        path: str, ours: str, others: list[str], ceiling: str | None, target: str, n: int = rows
    ) -> None:
        mine = r.seconds(ours)
        timed = [(r.seconds(o), o) for o in others if r.seconds(o)]
        best = min(timed, default=(None, ""))
        ratio = f"{best[0] / mine:.2f}x" if mine and best[0] else "n/a"
        other = f"{_short(best[1])} {_rate(n, best[0])}" if best[0] else "n/a"
        ceil = r.seconds(ceiling) if ceiling else None
        share = f"{ceil / mine:.0%}" if mine and ceil else ""
        out.append(
            f"| {path} | {_rate(n, mine)} | {other} | {ratio} | "
            f"{_rate(n, ceil) if ceiling else ''} | {share} | {target} |"
        )

    speed_row(
        "model objects -> line protocol",
        "influxorm_many",
        ["aioinflux_lineprotocol", "influxdb_python_make_lines", "influxdb_client_points"],
        "handwritten",
        ">= 2.0x aioinflux",
    )
    speed_row(
        "DataFrame -> line protocol (F)",
        "write_influxorm_arrow",
        ["write_influxdb_client"],
        None,
        ">= 7x influxdb-client",
    )
    speed_row(
        "DataFrame -> line protocol (F), fastest other",
        "write_influxorm_arrow",
        ["write_aioinflux", "write_influxdb_client", "write_influxdb_python"],
        None,
        "",
    )
    others = ["aioinflux_write"]
    ceiling = "raw_concurrent"
    speed_row("write: session.write(list)", "influxorm_write", others, ceiling, ">= 85% ceiling")
    speed_row(
        "write: writer(), 1 point per write()",
        "influxorm_writer",
        others,
        ceiling,
        ">= 85% ceiling",
    )
    speed_row(
        "write: writer(), 5000 per write()",
        "influxorm_writer_chunks",
        others,
        ceiling,
        ">= 85% ceiling",
    )
    objects = ["aioinflux_objects", "influxdb_python_objects"]
    speed_row(
        "query -> objects: fetch()",
        "influxorm_fetch",
        ["aioinflux_objects"],
        "raw_msgpack",
        ">= 2x aioinflux json",
    )
    speed_row(
        "query -> objects: fetch(), fastest other",
        "influxorm_fetch",
        objects,
        "raw_msgpack",
        "",
    )
    speed_row(
        "query -> DataFrame (F)",
        "read_influxorm",
        ["read_aioinflux"],
        "read_handwritten",
        ">= 4x aioinflux; >= 85% ceiling",
    )
    speed_row(
        "query -> DataFrame (F), fastest other",
        "read_influxorm",
        ["read_aioinflux", "read_aioinflux_chunked", "read_influxdb_python"],
        "read_handwritten",
        "",
    )
    mine = r.peak("read_influxorm")
    peaks = [
        (r.peak(f), f) for f in ("read_aioinflux", "read_aioinflux_chunked", "read_influxdb_python")
    ]
    least, which = min(((p, f) for p, f in peaks if p is not None), default=(None, ""))
    ceil = r.peak("read_handwritten")
    out.append(
        f"| query -> DataFrame peak memory (F) | {mine or 0:.0f} MiB | "
        f"{LABELS[which] if least else 'n/a'} {least or 0:.0f} MiB | "
        f"{mine / least if mine and least else 0:.2f}x the memory | {ceil or 0:.0f} MiB | | |"
    )
    measured = r.results.get("read_influxorm")
    found = re.search(r"frame ([0-9.]+) MiB", measured.note) if measured else None
    frame = float(found.group(1)) if found else None
    out.append(
        f"| query -> DataFrame peak memory / frame size (F) | "
        f"{f'{mine / frame:.1f}x ({frame:.0f} MiB frame)' if mine and frame else 'n/a'} "
        "| | | | | <= 2.5x the frame |"
    )
    small, large = r.peak("influxorm_iterate_small"), r.peak("influxorm_iterate")
    growth = f"{large / small - 1:+.0%}" if small and large else "n/a"
    out.append(
        f"| iterate() peak memory (RSS), 100k -> 1M points | {small or 0:.0f} -> {large or 0:.0f}"
        f" MiB ({growth}) | | | | | within 20% |"
    )
    small, large = _heap(r, "influxorm_iterate_heap_small"), _heap(r, "influxorm_iterate_heap")
    growth = f"{large / small - 1:+.0%}" if small and large else "n/a"
    out.append(
        f"| iterate() Python heap peak (tracemalloc), 100k -> 1M points | {small or 0:.1f} -> "
        f"{large or 0:.1f} MiB ({growth}) | | | | | within 20% |"
    )
    return "\n".join(out)


WRITE_CASES_FOR_CPU = [
    "raw_serial",
    "raw_concurrent",
    "influxorm_write",
    "influxorm_writer",
    "influxorm_writer_chunks",
    "aioinflux_write",
]


def cpu_table(r: Runner) -> str:
    """Where the time of each write goes: the client's and influxd's CPU seconds.

    With client and server on the same cores, a write cannot finish sooner than all the
    CPU time it needs spread over every core: influxd's time for the points (what it
    used under the concurrent ceiling, where the client does almost nothing) plus the
    client's own time for this case. That bound, not the ceiling, is the wall a client
    that encodes in Python hits here.
    """
    cores = os.cpu_count() or 1
    ceiling = r.results.get("raw_concurrent")
    server_need = ceiling.server_cpu if ceiling and ceiling.server_cpu >= 0 else None
    out = [
        f"| write case ({cores} cores) | wall s | client CPU s | influxd CPU s | cores busy "
        "| CPU bound s | wall / bound |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for function in WRITE_CASES_FOR_CPU:
        m = r.results.get(function)
        if m is None or m.client_cpu < 0:
            continue
        busy = (m.client_cpu + max(m.server_cpu, 0)) / m.seconds
        bound = (
            max(ceiling.seconds, (server_need + m.client_cpu) / cores)
            if ceiling and server_need is not None
            else None
        )
        out.append(
            f"| {LABELS[function]} | {m.seconds:.2f} | {m.client_cpu:.2f} | "
            f"{m.server_cpu:.2f} | {busy:.2f} | "
            f"{f'{bound:.2f}' if bound else ''} | {f'{bound / m.seconds:.0%}' if bound else ''} |"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run per case, fewer libraries")
    args = parser.parse_args()
    repeat = 1 if args.quick else _harness.repeat_from_env(2)
    rows = _trades.ROWS
    r = Runner(repeat, args.quick)
    start = time.monotonic()

    print("model objects -> line protocol", file=sys.stderr)
    r.run(
        "serialization",
        serialization.CASES,
        {c.function: serialization.context(c.function, rows) for c in serialization.CASES},
    )
    print("DataFrame -> line protocol", file=sys.stderr)
    wanted = {
        "write_influxorm_arrow",
        "write_aioinflux",
        "write_influxdb_client",
        "write_influxdb_python",
    }
    df_writes = [c for c in dataframes.WRITE_CASES if c.function in wanted]
    r.run("dataframes", df_writes, {c.function: {"side": "write"} for c in df_writes})

    with server() as ctx:
        print("writes", file=sys.stderr)
        r.run(
            "writes",
            writes.CASES,
            {c.function: writes.context(ctx, c.function, rows) for c in writes.CASES},
        )
        print("query -> objects", file=sys.stderr)
        r.run("queries", queries.OBJECT_CASES, {c.function: ctx for c in queries.OBJECT_CASES})
        print("query -> DataFrame", file=sys.stderr)
        wanted = {"read_influxorm", "read_handwritten", "read_aioinflux", "read_aioinflux_chunked"}
        wanted.add("read_influxdb_python")
        df_reads = [c for c in dataframes.READ_CASES if c.function in wanted]
        r.run("dataframes", df_reads, {c.function: {**ctx, "side": "read"} for c in df_reads})
        print("iterate() memory", file=sys.stderr)
        r.run("queries", queries.ITERATE_CASES, {c.function: ctx for c in queries.ITERATE_CASES}, 1)

    print(f"\n### influxorm vs the other Python clients ({time.monotonic() - start:.0f} s)\n")
    print(table(r, rows))
    print("\n### Writes: client and influxd CPU time (same run)\n")
    print(cpu_table(r))


if __name__ == "__main__":
    main()
