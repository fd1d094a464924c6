"""The public namespaces: every module's ``__all__`` is sorted, complete and real, and
the types users meet can be imported from ``influxorm``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import influxorm
from influxorm import exceptions


def _modules() -> list[str]:
    names = ["influxorm"]
    for info in pkgutil.walk_packages(influxorm.__path__, "influxorm."):
        if info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return sorted(names)


MODULES = _modules()


def _ruff_order(name: str) -> tuple[int, str]:
    """ruff's isort-style order of ``__all__`` (RUF022): CONSTANTS, Classes, functions."""
    if name.isupper() and len(name) > 1:
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


def _defined_here(module: ModuleType) -> set[str]:
    """The public classes and functions a module defines itself (not imported ones)."""
    return {
        name
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
        and getattr(obj, "__module__", None) == module.__name__
    }


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_unique_and_real(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    if exported is None:
        assert _defined_here(module) == set(), f"{name} defines public names but no __all__"
        return
    assert list(exported) == sorted(set(exported), key=_ruff_order), name
    missing = [n for n in exported if not hasattr(module, n)]
    assert missing == [], name


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_every_public_class_and_function_defined_in_the_module(name: str) -> None:
    module = importlib.import_module(name)
    if not hasattr(module, "__all__"):
        return
    unlisted = _defined_here(module) - set(module.__all__)
    assert unlisted == set(), f"{name}: define these as private or export them"


def test_every_exception_is_exported_and_derives_from_the_base() -> None:
    classes = {
        name: obj
        for name, obj in vars(exceptions).items()
        if inspect.isclass(obj) and issubclass(obj, BaseException) and not name.startswith("_")
    }
    assert set(classes) == set(exceptions.__all__)
    assert set(classes) <= set(influxorm.__all__)
    assert all(issubclass(cls, influxorm.InfluxORMError) for cls in classes.values())


def test_the_types_users_meet_are_public() -> None:
    for name in (
        "Measurement",
        "tag",
        "field",
        "time",
        "AsyncSession",
        "Session",
        "Q",
        "Query",
        "AggregateQuery",
        "IntoQuery",
        "every",
        "now",
        "Mean",
        "Sum",
        "iterpoints",
        "AsyncBulkWriter",
        "BulkWriter",
        "FailedBatch",
        "WriterProgress",
        "OnError",
        "OnProgress",
        "SchemaConflict",
        "RetryPolicy",
        "SessionStateError",
        "ValidationError",
        "WriteError",
        "QueryError",
        "AuthenticationError",
        "TransportError",
        "InfluxORMError",
    ):
        assert name in influxorm.__all__, name
