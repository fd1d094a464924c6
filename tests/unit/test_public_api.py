"""The public namespace: what users import from ``influxorm`` is sorted, complete and real."""

from __future__ import annotations

import inspect

import influxorm
from influxorm import exceptions


def test_all_is_sorted_and_unique() -> None:
    assert list(influxorm.__all__) == sorted(set(influxorm.__all__))


def test_every_name_in_all_exists() -> None:
    missing = [name for name in influxorm.__all__ if not hasattr(influxorm, name)]
    assert missing == []


def test_every_exception_is_exported_and_derives_from_the_base() -> None:
    classes = {
        name: obj
        for name, obj in vars(exceptions).items()
        if inspect.isclass(obj) and issubclass(obj, BaseException) and not name.startswith("_")
    }
    assert set(classes) <= set(influxorm.__all__)
    assert all(issubclass(cls, influxorm.InfluxORMError) for cls in classes.values())


def test_design_names_are_public() -> None:
    for name in (
        "Measurement",
        "tag",
        "field",
        "time",
        "AsyncSession",
        "Session",
        "Q",
        "Query",
        "every",
        "now",
        "Mean",
        "Sum",
        "iterpoints",
        "ValidationError",
        "WriteError",
        "QueryError",
        "AuthenticationError",
        "TransportError",
        "InfluxORMError",
    ):
        assert name in influxorm.__all__, name
