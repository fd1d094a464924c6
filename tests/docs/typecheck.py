"""The docs' Python examples as modules for mypy (no server, no I/O but writing them).

Each page's runnable Python blocks (those :mod:`docs.pages` runs) become one module, in
page order, inside ``async def`` so that top-level ``await`` type-checks as it runs; the
names the examples are given (``url``, ``database``, ``unix_socket``) are declared
``str`` before it. Line numbers map back to the page through :data:`PageModule.lines`.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import NamedTuple

from .pages import DOCS_DIR, blocks

PREAMBLE = [
    "# Generated from the docs; see tests/docs/typecheck.py.",
    "# mypy: allow-redefinition",
    "url: str",
    "database: str",
    "unix_socket: str",
    "",
    "",
    "async def _page() -> None:",
    "    pass",
]


class PageModule(NamedTuple):
    """A page's examples as one module's text, and the page line of each module line."""

    page: Path
    text: str
    lines: dict[int, int]  # module line (1-based) -> page line

    @property
    def module_name(self) -> str:
        inside = self.page.is_relative_to(DOCS_DIR)
        stem = (self.page.relative_to(DOCS_DIR) if inside else Path(self.page.name)).as_posix()
        stem = stem.removesuffix(".md")
        return "docs_" + stem.replace("/", "_").replace("-", "_")


def page_module(page: Path) -> PageModule | None:
    """The module of ``page``'s runnable Python examples, or None if it has none."""
    runnable = [b for b in blocks(page) if b.is_python and not b.skipped]
    if not runnable:
        return None
    out = list(PREAMBLE)
    lines: dict[int, int] = {}
    for block in runnable:
        for offset, line in enumerate(block.source.splitlines()):
            out.append(textwrap.indent(line, "    ") if line.strip() else "")
            lines[len(out)] = block.line + offset
    return PageModule(page, "\n".join(out) + "\n", lines)
