"""Reading the code blocks out of the documentation pages (no server, no I/O but reading).

The convention (documented for writers in ``docs/contributing.md``):

* Every fenced ```` ```python ```` block of a page runs, in page order, in one namespace
  per page, so a later block uses the classes and values of earlier ones. The namespace
  starts with ``url`` (a throwaway server's URL), ``database`` (a fresh database on it,
  dropped afterwards) and ``unix_socket`` (the server's unix socket path).
* A block may use top-level ``await``: it is compiled as in ``python -m asyncio`` and run
  on the page's event loop (one loop per page, so an ``AsyncSession`` opened in one block
  can be used in the next).
* Every fenced ```` ```sh ```` block runs in ``bash -e`` with ``influxorm`` on ``PATH``
  and ``INFLUXDB_URL``/``INFLUXDB_DATABASE`` set to the same server and database.
* Python and shell blocks of a page share one temporary working directory, so a file
  one block writes can be read by the next (it is also on ``sys.path``, as a script's
  folder is, so a module written there can be imported).
* The HTML comment ``<!-- docs-test: skip -->`` on the line before a fence (blank lines
  allowed between) marks the block as intentionally not run (installation commands, a
  server we cannot start in tests, the settings that ``url``/``database`` stand for).
* Functions named ``test_*`` that a block defines are then called, as pytest would call
  them, with the fixtures they name (``influxdb_session``, ``influxdb_async_session``,
  ``influxdb_database``, ``influxdb_url``, ``influxdb_server``) -- so the testing guide's
  tests run too.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import NamedTuple

DOCS_DIR = Path(__file__).resolve().parents[2] / "docs"

SKIP_MARKER = "<!-- docs-test: skip -->"
RUN_LANGUAGES = frozenset({"python", "py", "sh", "bash"})

# Pages whose blocks are not run here, with the reason.
NOT_RUN = {
    "internals.md": "written for contributors; its blocks are contracts, not examples",
}

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)(?P<info>.*)$")


class Block(NamedTuple):
    """One fenced code block: where it is, its language and its (dedented) source."""

    page: Path
    line: int  # 1-based line of the first line of code (after the opening fence)
    language: str
    source: str
    skipped: bool

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(DOCS_DIR.parent)}:{self.line}"

    @property
    def is_python(self) -> bool:
        return self.language in ("python", "py")


def pages() -> list[Path]:
    """Every Markdown page of the docs whose examples run."""
    return sorted(
        p for p in DOCS_DIR.rglob("*.md") if p.relative_to(DOCS_DIR).as_posix() not in NOT_RUN
    )


def blocks(page: Path) -> list[Block]:
    """The fenced code blocks of ``page``, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        indent, fence, info = match["indent"], match["fence"], match["info"].strip()
        language = info.split()[0].lower() if info else ""
        skipped = _marked_skip(lines, i)
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            stripped = lines[j].strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                break
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j])
            j += 1
        found.append(Block(page, i + 2, language, textwrap.dedent("\n".join(body)), skipped))
        i = j + 1
    return found


def _marked_skip(lines: list[str], fence_index: int) -> bool:
    k = fence_index - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    return k >= 0 and lines[k].strip() == SKIP_MARKER
