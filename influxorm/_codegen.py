"""Compile generated Python source so that tracebacks and debuggers can show it.

The per-model encoders and row factories are generated as source text (the way attrs
generates ``__init__``). :func:`compile_generated` compiles such text once under a
descriptive pseudo-filename (``<influxorm generated encoder mod.Class>``) and registers
the text in :mod:`linecache`, so a traceback through generated code shows its real
lines and ``pdb`` can step through it.
"""

from __future__ import annotations

import linecache
import threading
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["compile_generated", "generated_filename"]

_lock = threading.Lock()


def generated_filename(kind: str, owner: type, suffix: str = "") -> str:
    """Return the pseudo-filename for code of ``kind`` generated for ``owner``.

    Equal names for different code get a numeric suffix from :func:`compile_generated`.
    """
    extra = f" {suffix}" if suffix else ""
    return f"<influxorm generated {kind} {owner.__module__}.{owner.__qualname__}{extra}>"


def compile_generated(
    source: str, globs: Mapping[str, Any], func_name: str, filename: str
) -> Callable[..., Any]:
    """Compile ``source`` once, register it in :mod:`linecache`, return ``func_name``.

    ``globs`` are the globals the generated code sees (copied, never mutated). If
    ``filename`` is already registered with different text, a ``-N`` suffix is added
    before the closing ``>`` so each generated function keeps its own source.
    """
    lines = source.splitlines(keepends=True)
    with _lock:
        unique = filename
        count = 1
        while True:
            cached = linecache.cache.get(unique)
            if cached is None or (len(cached) == 4 and cached[2] == lines):
                break
            count += 1
            unique = (
                f"{filename[:-1]}-{count}>" if filename.endswith(">") else f"{filename}-{count}"
            )
        # The entry has no mtime (None), so linecache.checkcache() never evicts it.
        linecache.cache[unique] = (len(source), None, lines, unique)
    code = compile(source, unique, "exec")
    namespace: dict[str, Any] = dict(globs)
    exec(code, namespace)
    function: Callable[..., Any] = namespace[func_name]
    return function
