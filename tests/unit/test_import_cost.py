"""``import influxorm`` stays light: no pandas, numpy, pyarrow or aiohttp, and quick.

Every pytest run of a project that installs influxorm imports it (through the pytest
plugin's entry point), so its cost is paid far beyond influxorm's own users.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("pandas", "numpy", "pyarrow", "aiohttp")


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout


def test_import_influxorm_leaves_pandas_numpy_pyarrow_unimported() -> None:
    code = (
        "import json, sys\n"
        "import influxorm\n"
        "import influxorm.results, influxorm.session, influxorm.query, influxorm.models\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    assert json.loads(_run(code)) == []


def test_lazy_names_still_resolve() -> None:
    code = (
        "import sys\n"
        "from influxorm.results import SeriesKey, FrameAccumulator, response_to_frames\n"
        "print('pandas' in sys.modules)\n"
    )
    assert _run(code).strip() == "True"


def test_import_takes_at_most_035_s_on_top_of_the_interpreter() -> None:
    # The best of a few runs: the machine may be busy, the import's own cost is the floor.
    code = (
        "import time\nt = time.perf_counter()\nimport influxorm\nprint(time.perf_counter() - t)\n"
    )
    best = min(float(_run(code)) for _ in range(3))
    assert best <= 0.35, f"import influxorm took {best:.3f} s"
