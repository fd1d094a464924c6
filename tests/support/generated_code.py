"""Checks on the module ``influxorm inspect`` generates: its exact shape, and its import.

Server names are chosen by anyone who can write to a database, so the generated source is
checked node by node: a docstring, three fixed imports, classes whose bodies hold only a
docstring and ``attr: <type> = orm.time()/tag()/field()`` lines whose arguments are string
literals (or ``None``), and ``__all__``. Any other node -- another call, a name lookup, an
operator, a statement -- fails the check, so no expression can run on import.
"""

from __future__ import annotations

import ast
import keyword
import sys
import types
from typing import Any

from influxorm.models.schema import schema_of

__all__ = ["check_generated_source", "import_generated", "model_keys"]

_TYPES = frozenset({"str", "int", "float", "bool"})
_COLUMN_CALLS = frozenset({"time", "tag", "field"})


def _fail(node: ast.AST, why: str) -> AssertionError:
    return AssertionError(
        f"unexpected generated code at line {getattr(node, 'lineno', '?')}: "
        f"{why}: {ast.dump(node)[:300]}"
    )


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is str


def _is_orm(node: ast.AST, attr: frozenset[str]) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Load)
        and node.attr in attr
        and isinstance(node.value, ast.Name)
        and node.value.id == "orm"
    )


def _check_identifier(node: ast.AST, name: str) -> None:
    if not (name.isidentifier() and name.isascii() and not keyword.iskeyword(name)):
        raise _fail(node, f"not a plain identifier: {name!r}")


def _check_docstring(node: ast.stmt) -> None:
    if not (isinstance(node, ast.Expr) and _is_string(node.value)):
        raise _fail(node, "expected a docstring")


def _check_annotation(node: ast.expr) -> None:
    if isinstance(node, ast.Name) and node.id in _TYPES | {"datetime"}:
        return
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.BitOr)
        and isinstance(node.left, ast.Name)
        and node.left.id in _TYPES
        and isinstance(node.right, ast.Constant)
        and node.right.value is None
    ):
        return
    raise _fail(node, "expected a column type")


def _check_column(node: ast.stmt) -> None:
    if not (
        isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.simple == 1
        and isinstance(node.value, ast.Call)
    ):
        raise _fail(node, "expected a column declaration")
    _check_identifier(node, node.target.id)
    _check_annotation(node.annotation)
    call = node.value
    if not _is_orm(call.func, _COLUMN_CALLS) or call.args:
        raise _fail(call, "expected orm.time(), orm.tag(...) or orm.field(...)")
    for argument in call.keywords:
        value = argument.value
        if argument.arg == "name" and _is_string(value):
            continue
        if argument.arg == "default" and isinstance(value, ast.Constant) and value.value is None:
            continue
        raise _fail(argument, "expected name='...' or default=None")


def _check_class(node: ast.stmt) -> str:
    if not (
        isinstance(node, ast.ClassDef)
        and not node.decorator_list
        and len(node.bases) == 1
        and _is_orm(node.bases[0], frozenset({"Measurement"}))
    ):
        raise _fail(node, "expected class X(orm.Measurement, ...)")
    _check_identifier(node, node.name)
    for argument in node.keywords:
        if argument.arg != "name" or not _is_string(argument.value):
            raise _fail(argument, "expected the class keyword name='...'")
    _check_docstring(node.body[0])
    for statement in node.body[1:]:
        _check_column(statement)
    return node.name


def check_generated_source(source: str) -> list[str]:
    """Assert ``source`` has exactly the shape of a generated module; return its classes."""
    tree = ast.parse(source)
    body = list(tree.body)
    _check_docstring(body.pop(0))
    expected_imports = [
        "from __future__ import annotations",
        "from datetime import datetime",
        "import influxorm as orm",
    ]
    for line in expected_imports:
        statement = body.pop(0)
        if ast.unparse(statement) != line:
            raise _fail(statement, f"expected {line!r}")
    last = body.pop()
    if not (
        isinstance(last, ast.Assign)
        and [ast.unparse(t) for t in last.targets] == ["__all__"]
        and isinstance(last.value, ast.List)
        and all(_is_string(item) for item in last.value.elts)
    ):
        raise _fail(last, "expected __all__ = [...]")
    classes = [_check_class(statement) for statement in body]
    exported = [item.value for item in last.value.elts if isinstance(item, ast.Constant)]
    assert exported == sorted(classes), (exported, classes)
    return classes


def import_generated(source: str, name: str = "generated_models") -> types.ModuleType:
    """Run ``source`` as module ``name`` (registered while it runs, as an import does)."""
    module = types.ModuleType(name)
    sys.modules[name] = module
    try:
        exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    finally:
        del sys.modules[name]
    return module


def model_keys(model: Any) -> tuple[str, frozenset[str], frozenset[str]]:
    """A model's measurement, tag keys and field keys, as the server names them."""
    schema = schema_of(model)
    return (
        schema.measurement,
        frozenset(c.key for c in schema.tags),
        frozenset(c.key for c in schema.fields),
    )
