"""Every Python example of the documentation passes ``mypy --strict``.

The examples a page runs (see :mod:`docs.pages`) are checked as one module per page
(:mod:`docs.typecheck`), with the project's mypy configuration, in one mypy run that
reuses the project's cache (a second or two once ``make typecheck`` has run). An error
names the page and its line.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from mypy import api as mypy_api

from .pages import DOCS_DIR, pages
from .typecheck import PageModule, page_module

REPO = DOCS_DIR.parent

# Pages whose examples are not type-checked, with the reason.
NOT_CHECKED = {
    "migration.md": "its examples are aioinflux code, whose API cannot be typed "
    "(`timestamp: TIMEINT` annotations, dynamic clients)",
}
# Modules that a page's shell blocks generate before its Python blocks import them.
GENERATED = {"cli.md": {"inventory"}}

_ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<message>.*)$")

# A page with known mistakes, checked in the same run: proves the check sees them.
CANARY = """# Canary

```python
from datetime import datetime

import influxorm as orm


class Reading(orm.Measurement, name="readings"):
    time: datetime = orm.time()
    value: float = orm.field()


def average() -> float:
    row = Reading.objects.aggregate(avg=orm.Mean("value")).first()
    assert row is not None
    return row["avg"]


reading = Reading(time=0, value=1.0)
x = await orm.AsyncSession(url, database=database).ping()
```
"""


def _run_mypy(modules: list[PageModule], folder: Path) -> dict[str, list[str]]:
    # mypy reports no errors for a module its cache holds as unchanged, so the pages get
    # module names of their own each run (influxorm itself still comes from the cache);
    # their cache files are removed afterwards.
    run = f"_{uuid.uuid4().hex[:8]}"
    cache = REPO / ".mypy_cache"
    by_file: dict[str, PageModule] = {}
    for module in modules:
        path = folder / f"{module.module_name}{run}.py"
        path.write_text(module.text, encoding="utf-8")
        by_file[str(path)] = module
    try:
        stdout, stderr, _ = mypy_api.run(
            [
                "--strict",
                "--config-file",
                str(REPO / "pyproject.toml"),
                "--cache-dir",
                str(cache),
                "--show-error-codes",
                "--no-error-summary",
                "--no-pretty",
                *by_file,
            ]
        )
    finally:
        for stale in cache.glob(f"*/docs_*{run}.*"):
            stale.unlink()
    errors: dict[str, list[str]] = {m.page.name: [] for m in modules}
    for line in stdout.splitlines():
        match = _ERROR.match(line)
        if match is None:
            continue
        module = by_file.get(match["file"])
        if module is None:  # in influxorm itself: `make typecheck` reports those
            continue
        message = match["message"]
        generated = GENERATED.get(module.page.name, set())
        if "[import-not-found]" in message and any(f'"{m}"' in message for m in generated):
            continue
        page_line = module.lines.get(int(match["line"]), 0)
        where = f"{module.page.relative_to(module.page.parents[1])}:{page_line}"
        errors[module.page.name].append(f"{where}: {message}")
    assert not stderr, stderr
    return errors


def test_doc_examples_pass_mypy_strict(tmp_path: Path) -> None:
    checked = [p for p in pages() if p.relative_to(DOCS_DIR).as_posix() not in NOT_CHECKED]
    canary_page = tmp_path / "pages" / "canary.md"
    canary_page.parent.mkdir()
    canary_page.write_text(CANARY, encoding="utf-8")
    modules = [m for m in map(page_module, [*checked, canary_page]) if m is not None]
    assert len(modules) > 10
    errors = _run_mypy(modules, tmp_path)

    canary = errors.pop("canary.md")
    assert any("Returning Any" in e for e in canary), canary
    assert any('Argument "time" to "Reading"' in e for e in canary), canary
    assert any(e.startswith("pages/canary.md:20: ") for e in canary), canary  # page lines

    failures = [e for page_errors in errors.values() for e in page_errors]
    assert failures == [], "\n".join(failures)
