"""The per-model line-protocol encoder, generated once per class as Python source.

:func:`make_encoder_source` is a pure maker: schema in, ``(source, globals)`` out. The
source defines ``encode(self, stamp=None) -> str`` (one instance, one line without a
newline), ``encode_many(objs, stamp=None) -> list[str]`` (the same body inlined in one
loop) and ``check_many(objs, stamp=None)`` (the same checks, no line formatted).
:func:`encoder_for` compiles it once per class with :mod:`influxorm._codegen`, so
tracebacks show ``<influxorm generated encoder mod.Class>`` and its real lines.

Validation is inline (there is no separate slow pass): the common case of each value is
checked with a type test and falls back to a helper that converts what can be converted
(``int`` into a float field, a numpy scalar, an Enum's raw value) and raises a
:class:`ValidationError` naming the model, attribute and value for everything else.

The escaped ``measurement,tag=value,...`` head of a line is cached per distinct tuple
of tag values (the cache is cleared when it reaches :data:`HEAD_CACHE_SIZE`), since tag
values repeat across points. Tags, including ``extra_tags``, are written sorted by key.

A model without fields is written with the field :data:`PLACEHOLDER_FIELD` ``=true``,
since a line needs at least one field.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import attrs

from influxorm import lineprotocol as lp
from influxorm._codegen import compile_generated, generated_filename
from influxorm.exceptions import ValidationError
from influxorm.models.schema import Column, Schema
from influxorm.timeutil import MAX_NS, MIN_NS, to_ns

__all__ = [
    "HEAD_CACHE_SIZE",
    "PLACEHOLDER_FIELD",
    "Encoder",
    "encoder_for",
    "make_encoder_source",
]

#: The field written for models that declare no fields (value ``true``).
PLACEHOLDER_FIELD: Final = "_placeholder"
#: How many distinct tag-value tuples an encoder keeps the escaped line head of.
HEAD_CACHE_SIZE: Final = 4096


@attrs.frozen
class Encoder:
    """A model's compiled encoder functions and the source they were compiled from."""

    encode: Callable[..., str]
    encode_many: Callable[..., list[str]]
    #: ``check_many(objs, stamp=None) -> None``: every check of ``encode_many`` (the same
    #: errors), without formatting lines: validating first and encoding later costs
    #: little more than encoding, and lets a writer send while it encodes.
    check_many: Callable[..., None]
    source: str
    filename: str


def _required(model: str, attr: str) -> ValidationError:
    return ValidationError(
        f"{model}.{attr} is None but is not declared optional (`X | None`)",
        model=model,
        attribute=attr,
        value=None,
    )


def _slow_value(value: object, column: Column, model: str, encode: Callable[..., object]) -> object:
    """The value of ``column`` the fast path refused, converted or refused with a
    :class:`ValidationError`; ``encode`` is the column's entry of ``_ENC``."""
    if value is None:
        raise _required(model, column.attr)
    if column.is_enum:
        value = _enum_value(value, column, model)
    return encode(value, model=model, attribute=column.attr)


# The slow-path converters: each validates with the reference encoder of
# :mod:`influxorm.lineprotocol` and returns what the generated fast path leaves for the
# value's format (see ``_FORMATS``), so both paths write exactly the same text.


def _float_value(value: object, *, model: str, attribute: str) -> float:
    return float(lp.encode_float(value, model=model, attribute=attribute))


def _int_value(value: object, *, model: str, attribute: str) -> int:
    return int(lp.encode_int(value, model=model, attribute=attribute)[:-1])


def _bool_value(value: object, *, model: str, attribute: str) -> str:
    return lp.encode_bool(value, model=model, attribute=attribute)


def _str_value(value: object, *, model: str, attribute: str) -> str:
    return lp.encode_string(value, model=model, attribute=attribute)[1:-1]


def _enum_value(value: object, column: Column, model: str) -> object:
    enum_type: type[enum.Enum] = column.python_type
    if isinstance(value, enum_type):
        return value.value
    try:
        return enum_type(value).value
    except ValueError:
        raise ValidationError(
            f"{model}.{column.attr} must be a {enum_type.__qualname__} member or one of "
            f"its values: {value!r}",
            model=model,
            attribute=column.attr,
            value=value,
        ) from None


def _time_ns(value: object, column: Column, model: str) -> int:
    try:
        return to_ns(value)
    except ValidationError as exc:
        raise ValidationError(
            f"{model}.{column.attr}: {exc}", model=model, attribute=column.attr, value=value
        ) from None


def _tag_text(value: object, column: Column, model: str) -> str | None:
    if value is None:
        if column.optional:
            return None
        raise _required(model, column.attr)
    if column.is_enum:
        value = _enum_value(value, column, model)
    elif isinstance(value, enum.Enum):
        value = value.value
    if value == "":
        return None
    return lp.check_tag_value(value, model=model, attribute=column.attr)


def _head_maker(
    schema: Schema,
) -> tuple[Callable[[tuple[object, ...]], str], dict[tuple[object, ...], str]]:
    """Return the function building a line head from tag values, and its cache."""
    model = schema.model.__qualname__
    ordered = sorted(
        [(c.key, i) for i, c in enumerate(schema.tags)]
        + [(key, -1 - i) for i, (key, _) in enumerate(schema.extra_tags)]
    )
    tags = schema.tags
    extras = [value for _, value in schema.extra_tags]
    start = lp.escape_measurement(schema.measurement)
    longest = max([len(c.key.encode()) for c in schema.fields] or [len(PLACEHOLDER_FIELD)])
    cache: dict[tuple[object, ...], str] = {}

    def make_head(values: tuple[object, ...]) -> str:
        parts = [start]
        for key, index in ordered:
            if index >= 0:
                text = _tag_text(values[index], tags[index], model)
            else:
                text = extras[-1 - index]
            if text is not None:
                parts.append(f"{lp.escape_key(key)}={lp.escape_key(text)}")
        head = ",".join(parts)
        lp.check_series_key(head, longest, model=model)
        try:
            if len(cache) >= HEAD_CACHE_SIZE:
                cache.clear()
            cache[values] = head
        except TypeError:  # an unhashable value that is still valid (a str subclass)
            pass
        return head

    return make_head, cache


#: Finite floats are the ones within these bounds (NaN compares False): a check that
#: allocates nothing.
_FLOAT_MAX: Final = repr(sys.float_info.max)

# How each value type is written, given the variable holding the value the fast path
# (or :func:`_slow_value`) leaves: a float, an int, the escaped inside of a string, or
# the text of a boolean.
_FORMATS: Final[dict[type, str]] = {
    float: "{{{var}!r}}",
    int: "{{{var}}}i",
    str: '"{{{var}}}"',
    bool: "{{{var}}}",
}


def _value_lines(column: Column, var: str) -> list[str]:
    """Source lines leaving the attribute's value, checked and ready for its format in
    :data:`_FORMATS`, in ``var``."""
    a = repr(column.attr)
    slow = f"v = _slow(v, _C[{a}], _M, _ENC[{a}])"
    lines = [f"v = self.{column.attr}"]
    if column.is_enum:
        lines += [
            f"if type(v) is {_enum_global(column)}:",
            "    v = v._value_",
            "else:",
            f"    v = _enum_value(v, _C[{a}], _M)",
        ]
    vt = column.value_type
    if vt is float:
        lines += [
            f"if type(v) is not float or not -{_FLOAT_MAX} <= v <= {_FLOAT_MAX}:",
            f"    {slow}",
        ]
    elif vt is int:
        lines += [
            f"if type(v) is not int or not {lp.INT64_MIN} <= v <= {lp.INT64_MAX}:",
            f"    {slow}",
        ]
    elif vt is bool:
        lines += [
            "if v is True:",
            "    v = 'true'",
            "elif v is False:",
            "    v = 'false'",
            "else:",
            f"    {slow}",
        ]
    else:
        # Non-ASCII text must be encodable as UTF-8 (a lone surrogate is not): the slow
        # path raises the ValidationError. ``isascii`` costs nothing (CPython knows it
        # from the string's header), a successful ``encode`` little.
        lines += [
            "if type(v) is not str:",
            f"    {slow}",
            "else:",
            "    if not v.isascii():",
            "        try:",
            "            v.encode()",
            "        except UnicodeEncodeError:",
            f"            {slow}",
            "    if '\"' in v or '\\\\' in v:",
            "        v = _escape_string(v)",
        ]
    lines.append(f"{var} = v")
    return lines


def _enum_global(column: Column) -> str:
    """The name under which generated code sees the Enum type of ``column``."""
    return f"_ET_{column.attr}"


def _formatted(column: Column, var: str) -> str:
    """An f-string literal writing ``var`` (from :func:`_value_lines`) as the field value."""
    return "f" + repr(_FORMATS[column.value_type].format(var=var))


def _indent(lines: list[str], depth: int) -> list[str]:
    pad = "    " * depth
    return [pad + line for line in lines]


def _body(schema: Schema, *, emit: bool = True) -> list[str]:
    """The encoding of ``self`` into ``_line``, shared by ``encode`` and ``encode_many``;
    without ``emit``, only the checks (``check_many``: no line is formatted)."""
    out: list[str] = []
    if schema.tags:
        # Enum members hash through a Python-level ``__hash__``: key the cache on their
        # values instead (the head made from a value is the head made from its member).
        keys = []
        for i, column in enumerate(schema.tags):
            if column.is_enum:
                out += [
                    f"_k{i} = self.{column.attr}",
                    f"if type(_k{i}) is {_enum_global(column)}:",
                    f"    _k{i} = _k{i}._value_",
                ]
                keys.append(f"_k{i}")
            else:
                keys.append(f"self.{column.attr}")
        out += [
            f"_tv = ({', '.join(keys)},)",
            "try:",
            "    _head = _heads[_tv]",
            "except (KeyError, TypeError):",
            "    _head = _make_head(_tv)",
        ]
    else:
        out.append(f"_head = {_static_head(schema)!r}")

    required = [c for c in schema.fields if not c.optional]
    optional = [c for c in schema.fields if c.optional]
    pieces: list[str] = []  # adjacent literals: one f-string for the whole field set
    for i, column in enumerate(required):
        var = f"_f{i}"
        out += _value_lines(column, var)
        sep = "," if i else ""
        pieces += [repr(f"{sep}{lp.escape_key(column.key)}="), _formatted(column, var)]
    if not schema.fields:
        pieces.append(repr(f"{PLACEHOLDER_FIELD}=true"))
    if optional:
        out.append("_parts = [" + " ".join(pieces) + "]")
        for j, column in enumerate(optional):
            var = f"_o{j}"
            out.append(f"if self.{column.attr} is not None:")
            out += _indent(_value_lines(column, var), 1)
            key = repr(lp.escape_key(column.key) + "=")
            out.append(f"    _parts.append({key} {_formatted(column, var)})")
        if not required:
            out += [
                "if not _parts:",
                "    raise _empty(self)",
            ]
        if emit:
            out.append("_fields = ','.join(_parts)")
        fields_expr = "f'{_fields}'"
    else:
        fields_expr = " ".join(pieces)

    time = schema.time
    with_time = f"_line = f'{{_head}} ' {fields_expr} f' {{_t}}'" if emit else "pass"
    without_time = f"_line = f'{{_head}} ' {fields_expr}" if emit else "pass"
    convert = [
        f"if type(_t) is not int or not {MIN_NS} <= _t <= {MAX_NS}:",
        f"    _t = _time_ns(_t, _C[{time.attr!r}], _M)",
    ]
    if time.python_type is datetime:
        # Exact integer arithmetic for the common UTC and naive (= UTC) datetimes; an
        # error names the original value (``_t0``).
        convert = [
            "_t0 = _t",
            "if type(_t) is _datetime and (_t.tzinfo is _UTC or _t.tzinfo is None):",
            "    _t = (_t - (_EPOCH_NAIVE if _t.tzinfo is None else _EPOCH_UTC)) // _US * 1000",
            f"if type(_t) is not int or not {MIN_NS} <= _t <= {MAX_NS}:",
            f"    _t = _time_ns(_t0, _C[{time.attr!r}], _M)",
        ]
    out.append(f"_t = self.{time.attr}")
    if time.optional:
        out += [
            "if _t is None:",
            "    _t = stamp",
            "if _t is None:",
            f"    {without_time}",
            "else:",
            *_indent(convert, 1),
            f"    {with_time}",
        ]
    else:
        out += [*convert, with_time]
    return out


def _static_head(schema: Schema) -> str:
    head = lp.escape_measurement(schema.measurement)
    for key, value in schema.extra_tags:
        head += f",{lp.escape_key(key)}={lp.escape_key(value)}"
    longest = max([len(c.key.encode()) for c in schema.fields] or [len(PLACEHOLDER_FIELD)])
    lp.check_series_key(head, longest, model=schema.model.__qualname__)
    return head


def make_encoder_source(schema: Schema) -> tuple[str, dict[str, Any]]:
    """Return the source of a model's ``encode``/``encode_many`` and the globals it needs."""
    model = schema.model.__qualname__
    body = _body(schema)
    source = "\n".join(
        [
            "def encode(self, stamp=None):",
            *_indent(body, 1),
            "    return _line",
            "",
            "",
            "def encode_many(objs, stamp=None):",
            "    _out = []",
            "    _append = _out.append",
            "    for self in objs:",
            *_indent(body, 2),
            "        _append(_line)",
            "    return _out",
            "",
            "",
            "def check_many(objs, stamp=None):",
            "    for self in objs:",
            *_indent(_body(schema, emit=False), 2),
            "",
        ]
    )
    make_head, head_cache = _head_maker(schema)
    encoders: dict[type, Callable[..., object]] = {
        float: _float_value,
        int: _int_value,
        bool: _bool_value,
        str: _str_value,
    }
    globs: dict[str, Any] = {
        "_M": model,
        "_C": {c.attr: c for c in schema.columns},
        **{_enum_global(c): c.python_type for c in schema.columns if c.is_enum},
        "_ENC": {c.attr: encoders[c.value_type] for c in schema.fields},
        "_heads": head_cache,
        "_make_head": make_head,
        "_slow": _slow_value,
        "_enum_value": _enum_value,
        "_time_ns": _time_ns,
        "_escape_string": lp.escape_string,
        "_empty": lambda obj: _empty_fields(obj, model),
        "_datetime": datetime,
        "_UTC": UTC,
        "_EPOCH_NAIVE": datetime(1970, 1, 1),
        "_EPOCH_UTC": datetime(1970, 1, 1, tzinfo=UTC),
        "_US": timedelta(microseconds=1),
    }
    return source, globs


def _empty_fields(obj: object, model: str) -> ValidationError:
    return ValidationError(
        f"{model}: every field is None, and a point needs at least one field: {obj!r}",
        model=model,
        value=obj,
    )


def encoder_for(schema: Schema) -> Encoder:
    """Generate and compile the encoder of the schema's model."""
    source, globs = make_encoder_source(schema)
    filename = generated_filename("encoder", schema.model)
    encode_many = compile_generated(source, globs, "encode_many", filename)
    namespace = encode_many.__globals__
    return Encoder(
        encode=namespace["encode"],
        encode_many=encode_many,
        check_many=namespace["check_many"],
        source=source,
        filename=filename,
    )
