"""Model source generated from SHOW TAG KEYS / SHOW FIELD KEYS."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from influxorm.cli.modelgen import field_python_type, generate_module
from influxorm.models.schema import schema_of
from influxorm.schema_check import MeasurementInfo


def _load(source: str, name: str = "generated_models") -> types.ModuleType:
    module = types.ModuleType(name)
    sys.modules[name] = module
    try:
        exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    finally:
        del sys.modules[name]
    return module


def _info(name: str, tags: list[str], fields: dict[str, set[str]]) -> MeasurementInfo:
    rows = [(key, kind) for key, kinds in fields.items() for kind in sorted(kinds)]
    return MeasurementInfo.from_rows(name, tags, rows)


@pytest.mark.parametrize(
    ("types_", "expected"),
    [
        ({"float"}, "float"),
        ({"integer"}, "int"),
        ({"string"}, "str"),
        ({"boolean"}, "bool"),
        ({"float", "integer"}, "float"),
        ({"integer", "string"}, "str"),
        ({"boolean", "integer"}, "int"),
    ],
)
def test_field_python_type(types_: set[str], expected: str) -> None:
    assert field_python_type(types_) == expected


def test_generated_module_imports_with_names_types_and_keys() -> None:
    info = _info(
        "cpu load",
        ["host name", "class", "region"],
        {
            "usage-user": {"float"},
            "count": {"integer"},
            "ok": {"boolean"},
            "note": {"string"},
            "class": {"float"},
        },
    )
    source = generate_module([info], source="test")
    module = _load(source)
    model: Any = module.CpuLoad
    schema = schema_of(model)
    assert schema.measurement == "cpu load"
    tags = {c.attr: c.key for c in schema.tags}
    # "class" is both a tag and a field: modelled once, as the field.
    assert tags == {"host_name": "host name", "region": "region"}
    fields = {c.attr: (c.key, c.python_type, c.optional) for c in schema.fields}
    assert fields == {
        "class_": ("class", float, True),
        "count": ("count", int, True),
        "note": ("note", str, True),
        "ok": ("ok", bool, True),
        "usage_user": ("usage-user", float, True),
    }
    assert "tag 'class' is also a field key" in source
    assert module.__all__ == ["CpuLoad"]
    # Optional columns default to None: a point with one field is a valid instance.
    point = model(time=0, usage_user=1.5)
    assert point.to_lineprotocol() == b"cpu\\ load usage-user=1.5 0"


def test_only_field_is_required_and_mixed_types_are_commented() -> None:
    source = generate_module([_info("m", [], {"v": {"float", "integer"}})], source="test")
    assert "# field 'v' has types float, integer across shards: declared float" in source
    schema = schema_of(_load(source).M)
    (column,) = schema.fields
    assert (column.attr, column.python_type, column.optional) == ("v", float, False)


def test_reserved_and_colliding_names_are_disambiguated() -> None:
    info = _info(
        "Objects",
        ["host-name", "host name"],
        {"objects": {"float"}, "to_dict": {"float"}, "host_name": {"string"}},
    )
    module = _load(generate_module([info], source="test"))
    schema = schema_of(module.Objects)
    assert {c.key: c.attr for c in schema.columns} == {
        "time": "time",
        "host name": "host_name",
        "host-name": "host_name_2",
        "host_name": "host_name_3",
        "objects": "objects_2",
        "to_dict": "to_dict_2",
    }


def test_class_names_are_unique_and_fieldless_measurements_commented() -> None:
    infos = [
        _info("cpu-load", [], {"v": {"float"}}),
        _info("cpu load", [], {"v": {"float"}}),
        _info("empty", ["t"], {}),
    ]
    source = generate_module(infos, source="test")
    module = _load(source)
    assert module.__all__ == ["CpuLoad", "CpuLoad_2"]
    assert schema_of(module.CpuLoad_2).measurement == "cpu load"
    assert "# measurement 'empty' has no fields: no model generated" in source


def test_class_named_like_its_measurement_needs_no_name_option() -> None:
    source = generate_module([_info("Cpu", [], {"v": {"float"}})], source="test")
    assert "class Cpu(orm.Measurement):" in source
