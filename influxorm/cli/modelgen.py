"""Generate ``Measurement`` class source from what the server reports (``influxorm inspect``).

Pure: :func:`generate_module` takes :class:`~influxorm.schema_check.MeasurementInfo`
values and returns the text of a Python module. The rules:

* one class per measurement, named in CapWords; ``name=`` keeps the measurement's own
  name whenever it differs from the class name;
* tags are ``str | None = orm.tag(default=None)``: a series may lack any tag;
* fields are typed by their InfluxDB type (float, integer, string, boolean -> float,
  int, str, bool) and ``X | None = orm.field(default=None)``, since a point may lack any
  of them; the only field of a measurement is always present and so is required;
* a field with several types (shards disagree) is typed by the widest (float over
  integer, str over anything) and a comment says so;
* attribute names are PEP 8 identifiers, unique within the class and clear of the
  ``Measurement`` API; ``name=`` keeps the key when it differs;
* a key that is both a tag and a field is modelled as the field (a model cannot hold
  the same key twice) and a comment says so;
* a name that a model cannot declare (one the line-protocol checks refuse, such as a
  key ``time`` or a name ending in a backslash) is left out with a comment.

Names come from the server, so anyone who can write to the database chooses them: the
generated source carries them only as ``repr()`` literals (in docstrings, comments and
``name=`` options) or as identifiers made by :mod:`influxorm.cli.identifiers`, never as
raw text. Importing the module runs nothing but the class definitions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Final

import influxorm
from influxorm.cli.columns import widest_type
from influxorm.cli.identifiers import NameAllocator, attribute_name, class_name
from influxorm.exceptions import ValidationError
from influxorm.lineprotocol import check_field_key, check_measurement, check_tag_key
from influxorm.schema_check import MeasurementInfo

__all__ = ["PYTHON_TYPES", "field_python_type", "generate_class", "generate_module"]

#: Python type names per InfluxDB field type.
PYTHON_TYPES: Final = {"float": "float", "integer": "int", "string": "str", "boolean": "bool"}

# Names a generated attribute must not take: the Measurement API, the time column, and
# the names the class body reads (an attribute named ``orm`` or ``str`` would shadow them).
_RESERVED_ATTRIBUTES: Final = frozenset(
    {name for name in dir(influxorm.Measurement) if not name.startswith("__")}
    | {"time", "orm", "datetime", *PYTHON_TYPES.values()}
)


def field_python_type(types: Iterable[str]) -> str:
    """The Python type name for a field with these InfluxDB types (the widest of them).

    A type InfluxDB does not have is a ValueError (the server's answer is not trusted).
    """
    kinds = set(types)
    unknown = sorted(kinds - PYTHON_TYPES.keys())
    if unknown:
        raise ValueError(f"unknown InfluxDB field type(s): {unknown!r}")
    return PYTHON_TYPES[widest_type(kinds)]


def _docstring(text: str, indent: str = "") -> str:
    """A docstring statement holding ``text`` as a ``repr()`` literal: always one string."""
    return f"{indent}{text!r}"


def _comment(indent: str, text: str) -> str:
    """A comment line. ``text`` holds server names only as ``repr()`` literals, which
    never contain a line break (``repr`` escapes every non-printable character)."""
    if len(text.splitlines()) != 1:
        raise AssertionError(f"a generated comment would span lines: {text!r}")
    return f"{indent}# {text}"


def _declarable(check: Callable[[str], object], name: str) -> bool:
    """Whether a model can declare ``name`` (the line-protocol checks accept it)."""
    try:
        check(name)
    except ValidationError:
        return False
    return True


_LEFT_OUT: Final = "left out: a model cannot declare this name (line protocol cannot carry it)"


def _keyword(name: str, key: str) -> str:
    return "" if name == key else f"name={key!r}, "


def _field_keys(info: MeasurementInfo) -> list[str]:
    """The field keys of ``info`` a model can declare, sorted."""
    return sorted(key for key in info.field_types if _declarable(check_field_key, key))


def generate_class(info: MeasurementInfo, cls_name: str) -> list[str]:
    """The source lines of one model class (no trailing blank line)."""
    header = f"class {cls_name}(orm.Measurement"
    if cls_name != info.name:
        header += f", name={info.name!r}"
    lines = [header + "):", _docstring(f"Measurement {info.name!r}.", "    "), ""]
    lines.append("    time: datetime = orm.time()")
    names = NameAllocator(_RESERVED_ATTRIBUTES)
    field_keys = _field_keys(info)
    for key in sorted(set(info.field_types) - set(field_keys)):
        lines.append(_comment("    ", f"field {key!r} {_LEFT_OUT}"))
    only_field = len(field_keys) == 1
    for key in sorted(info.tag_keys):
        if not _declarable(check_tag_key, key):
            lines.append(_comment("    ", f"tag {key!r} {_LEFT_OUT}"))
            continue
        if key in field_keys:
            lines.append(
                _comment(
                    "    ",
                    f"tag {key!r} is also a field key of this measurement: "
                    "modelled as the field below",
                )
            )
            continue
        attr = names.take(attribute_name(key, fallback="tag"))
        lines.append(f"    {attr}: str | None = orm.tag({_keyword(attr, key)}default=None)")
    for key in field_keys:
        types = info.field_types[key]
        python_type = field_python_type(types)
        attr = names.take(attribute_name(key, fallback="field"))
        if len(types) > 1:
            lines.append(
                _comment(
                    "    ",
                    f"field {key!r} has types {', '.join(sorted(types))} across shards: "
                    f"declared {python_type}",
                )
            )
        if only_field:
            keyword = _keyword(attr, key).removesuffix(", ")
            lines.append(f"    {attr}: {python_type} = orm.field({keyword})")
        else:
            lines.append(
                f"    {attr}: {python_type} | None = orm.field({_keyword(attr, key)}default=None)"
            )
    return lines


def generate_module(infos: Sequence[MeasurementInfo], *, source: str) -> str:
    """The text of a module with one model class per measurement in ``infos``.

    ``source`` says where the schema came from (a URL without credentials and a database),
    for the docstring.
    Measurements without fields (nothing to read back) are listed in a comment instead.
    """
    lines = [
        _docstring(f"Measurement models generated by `influxorm inspect` from {source}."),
        "",
        "from __future__ import annotations",
        "",
        "from datetime import datetime",
        "",
        "import influxorm as orm",
    ]
    classes = NameAllocator({"Measurement"})
    exported: list[str] = []
    for info in infos:
        lines.extend(("", ""))
        if not _declarable(check_measurement, info.name):
            lines.append(_comment("", f"measurement {info.name!r} {_LEFT_OUT}"))
            continue
        if not _field_keys(info):
            no_fields = f"measurement {info.name!r} has no fields: no model generated"
            lines.append(_comment("", no_fields))
            continue
        cls_name = classes.take(class_name(info.name))
        exported.append(cls_name)
        lines.extend(generate_class(info, cls_name))
    lines.extend(("", "", f"__all__ = {sorted(exported)!r}"))
    return "\n".join(lines) + "\n"
