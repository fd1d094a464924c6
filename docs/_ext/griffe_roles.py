"""A griffe extension for the API reference: influxorm's docstrings use reST roles and
``::`` literal blocks (readable in ``help()`` and IDEs); this turns them into Markdown.

* ``:class:`~pkg.mod.Name``` (also ``meth``, ``func``, ``mod``, ``attr``, ``data``,
  ``exc``, ``obj``) becomes a code span: ``Name`` with ``~``, the full path without;
* a paragraph ending in ``::`` ends in ``:`` (the indented block after it is already a
  Markdown code block).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|meth|func|mod|attr|data|exc|obj):`(~?)([^`]+)`")
_LITERAL = re.compile(r"(\S)::$", re.MULTILINE)
_BARE_LITERAL = re.compile(r"^(\s*)::$", re.MULTILINE)


def _role(match: re.Match[str]) -> str:
    short, target = match.groups()
    name = target.rsplit(".", 1)[-1] if short else target
    return f"`{name}`"


def to_markdown(text: str) -> str:
    """The docstring ``text`` with roles and ``::`` markers turned into Markdown."""
    text = _ROLE.sub(_role, text)
    text = _BARE_LITERAL.sub(r"\1", text)
    return _LITERAL.sub(r"\1:", text)


class ReSTRoles(griffe.Extension):
    """Rewrite every docstring as it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)
