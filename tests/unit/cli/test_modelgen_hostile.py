"""Generated models from hostile server names: data only, never code (issue 12, item 3).

Whoever can write to a database chooses its measurement, tag and field names; ``inspect``
must carry them into source text only as literals. Each test checks the generated module
node by node (:mod:`support.generated_code`), imports it, and checks that every model
names exactly the server's keys.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.generated_code import check_generated_source, import_generated, model_keys

from influxorm.cli.modelgen import field_python_type, generate_module
from influxorm.exceptions import ValidationError
from influxorm.lineprotocol import check_field_key, check_measurement, check_tag_key
from influxorm.schema_check import MeasurementInfo

PAYLOADS = [
    '"""',
    "'''",
    'x"""\nimport os; os.system("touch PWNED")\n"""',
    "x'''\n__import__('os').system('touch PWNED')\n'''",
    "__import__('os').system('touch PWNED')",
    "\\",
    "a\\",
    '\\"""',
    "# comment\nimport os",
    "x\r__import__('os').system('touch PWNED')",
    "x\u2028__import__('os')",
    "x\x0c__import__('os')",
    "\x85x",
    "\ufeffx",
    "class",
    "None",
    "lambda",
    "orm",
    "datetime",
    "str",
    "__class__",
    "__init__",
    "objects",
    "{x}",
    "%s",
    "ünïcödé 名前",
    "🙂",
]

# Characters that mean something to Python's tokenizer or to a docstring.
HOSTILE = "\"'\\\n\r\t#()[]{};:,.=+-*/ _\x0b\x0c\x1c\x85\u2028\u2029\ufeffaZ9é"

names = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(alphabet=HOSTILE, min_size=1, max_size=12),
    st.text(min_size=1, max_size=12),
    st.lists(st.sampled_from(PAYLOADS), min_size=2, max_size=3).map("".join),
)
types_ = st.frozensets(st.sampled_from(["float", "integer", "string", "boolean"]), min_size=1)


@st.composite
def measurements(draw: st.DrawFn) -> MeasurementInfo:
    fields = draw(st.dictionaries(names, types_, max_size=4))
    tags = draw(st.frozensets(names, max_size=4))
    return MeasurementInfo(draw(names), tags, fields)


def _check(infos: list[MeasurementInfo], marker: Path) -> None:
    source = generate_module(infos, source=f"database {PAYLOADS[2]!r} at http://h:1")
    classes = check_generated_source(source)
    module = import_generated(source)
    assert not marker.exists()
    produced = {model_keys(getattr(module, name)) for name in classes}
    expected = set()
    for info in infos:
        fields = frozenset(key for key in info.field_types if _ok(check_field_key, key))
        tags = frozenset(key for key in info.tag_keys if _ok(check_tag_key, key)) - fields
        if fields and _ok(check_measurement, info.name):
            expected.add((info.name, tags, fields))
        else:  # a measurement no model can declare is named in a comment
            assert f"# measurement {info.name!r} " in source
    assert produced == expected


def _ok(check: Callable[[str], object], name: str) -> bool:
    """Whether a model may declare ``name``: the rule the generated models must follow."""
    try:
        check(name)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_hostile_name_in_every_position_stays_data(
    payload: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where "touch PWNED" would create its file
    infos = [
        MeasurementInfo(payload, frozenset({payload + "t"}), {payload: frozenset({"float"})}),
        MeasurementInfo(
            "m" + payload,
            frozenset({payload, "both"}),
            {"both": frozenset({"float", "integer"}), payload + "f": frozenset({"string"})},
        ),
        MeasurementInfo(payload + "empty", frozenset({payload})),
    ]
    _check(infos, tmp_path / "PWNED")


@settings(max_examples=300, deadline=None)
@given(infos=st.lists(measurements(), max_size=4, unique_by=lambda info: info.name))
def test_arbitrary_names_generate_only_declarations(infos: list[MeasurementInfo]) -> None:
    _check(infos, Path("PWNED-never-created"))


def test_names_used_by_the_class_body_are_not_shadowed() -> None:
    keys = ["orm", "datetime", "str", "int", "float", "bool", "time_", *keyword.kwlist[:5]]
    info = MeasurementInfo("m", frozenset(), {key: frozenset({"float"}) for key in keys})
    source = generate_module([info], source="test")
    (name,) = check_generated_source(source)
    assert model_keys(getattr(import_generated(source), name))[2] == frozenset(keys)


def test_a_field_type_influxdb_does_not_have_is_refused() -> None:
    # The comment on mixed types lists the types: only known ones may reach it.
    with pytest.raises(ValueError, match="unknown InfluxDB field type"):
        field_python_type({"float", "x\nimport os"})
