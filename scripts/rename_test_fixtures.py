"""One-off, mechanical: rename the pytest plugin's old fixture names in test code.

For every function in the given files that pytest calls with fixtures (a ``test*``
function or method, or one decorated with ``...fixture``) and that takes a parameter named
``session``, ``database`` or ``async_session``, rename that parameter and every ``Name``
node spelled the same inside the function to ``influxdb_<name>``. Attribute accesses
(``influxorm.session``), keyword names (``database=``) and strings are left alone.

    python scripts/rename_test_fixtures.py $(git ls-files 'tests/*.py')
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

RENAMES = {
    "session": "influxdb_session",
    "database": "influxdb_database",
    "async_session": "influxdb_async_session",
}


def _is_fixture(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr == "fixture":
            return True
        if isinstance(target, ast.Name) and target.id == "fixture":
            return True
    return False


def _edits(tree: ast.AST) -> set[tuple[int, int, int, str]]:
    edits: set[tuple[int, int, int, str]] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not (node.name.startswith("test") or _is_fixture(node)):
            continue
        params = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        names = {a.arg for a in params} & RENAMES.keys()
        if not names:
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.arg) and sub.arg in names:
                edits.add((sub.lineno, sub.col_offset, len(sub.arg), RENAMES[sub.arg]))
            elif isinstance(sub, ast.Name) and sub.id in names:
                edits.add((sub.lineno, sub.col_offset, len(sub.id), RENAMES[sub.id]))
    return edits


def rename(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    edits = _edits(ast.parse(text))
    if not edits:
        return False
    lines = text.splitlines(keepends=True)
    for lineno, col, length, new in sorted(edits, reverse=True):
        # ast columns are UTF-8 byte offsets
        raw = lines[lineno - 1].encode()
        lines[lineno - 1] = (raw[:col] + new.encode() + raw[col + length :]).decode()
    path.write_text("".join(lines), encoding="utf-8")
    return True


if __name__ == "__main__":
    changed = [p for p in map(Path, sys.argv[1:]) if rename(p)]
    print("\n".join(map(str, changed)))
