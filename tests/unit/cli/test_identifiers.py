"""Identifier mangling for generated models."""

from __future__ import annotations

import keyword

import pytest

from influxorm.cli.identifiers import NameAllocator, attribute_name, class_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("usage", "usage"),
        ("host name", "host_name"),
        ("cpu-load", "cpu_load"),
        ("usageUser", "usage_user"),
        ("HTTPStatus", "http_status"),
        ("class", "class_"),
        ("import", "import_"),
        ("None", "none"),
        ("2xx", "field_2xx"),
        ("température", "temperature"),
        ("a  --  b", "a_b"),
        ("__dunder__", "dunder"),
        ("---", "field"),
        ("温度", "field"),
    ],
)
def test_attribute_names(name: str, expected: str) -> None:
    assert attribute_name(name, fallback="field") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cpu", "Cpu"),
        ("cpu load", "CpuLoad"),
        ("h2o_feet", "H2oFeet"),
        ("http-requests", "HttpRequests"),
        ("diskIO", "DiskIo"),
        ("none", "None_"),
        ("true", "True_"),
        ("2fa_events", "Measurement2faEvents"),
        ("!!!", "Measurement"),
    ],
)
def test_class_names(name: str, expected: str) -> None:
    assert class_name(name) == expected


@pytest.mark.parametrize("name", ["class", "for", "lambda", "a b", "1", "x-y", "Ünïcode", ""])
def test_results_are_identifiers_and_not_keywords(name: str) -> None:
    for made in (attribute_name(name), class_name(name)):
        assert made.isidentifier()
        assert made.isascii()
        assert not keyword.iskeyword(made)


def test_allocator_disambiguates_and_respects_reserved() -> None:
    names = NameAllocator({"time", "objects"})
    assert names.take("host_name") == "host_name"
    assert names.take("host_name") == "host_name_2"
    assert names.take("host_name") == "host_name_3"
    assert names.take("time") == "time_2"
    assert names.take("objects") == "objects_2"
