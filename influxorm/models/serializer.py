"""The per-model line-protocol encoder, generated once per class as Python source.

:func:`make_encoder_source` is a pure maker: schema in, ``(source, globals)`` out. The
source defines ``encode(self, stamp=None) -> str`` (one instance, one line without a
newline) and ``encode_many(objs, stamp=None) -> list[str]`` (the same body inlined in one
loop). :func:`encoder_for` compiles it once per class with :mod:`influxorm._codegen`,
so tracebacks show ``<influxorm generated encoder mod.Class>`` and its real lines.

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
from collections.abc import Callable, Iterable
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
    source: str
    filename: str


def _required(model: str, attr: str) -> ValidationError:
    return ValidationError(
        f"{model}.{attr} is None but is not declared optional (`X | None`)",
        model=model,
        attribute=attr,
        value=None,
    )


def _slow_value(value: object, column: Column, model: str, encode: Callable[..., str]) -> str:
    if value is None:
        raise _required(model, column.attr)
    if column.is_enum:
        value = _enum_value(value, column, model)
    return encode(value, model=model, attribute=column.attr)


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


def _value_lines(column: Column, var: str) -> list[str]:
    """Source lines turning ``v`` (the attribute's value) into the encoded ``var``."""
    a = repr(column.attr)
    slow = f"{var} = _slow(v, _C[{a}], _M, _ENC[{a}])"
    if column.is_enum:
        enum_name = f"_E[{a}]"
        convert = [
            f"if type(v) is {enum_name}:",
            "    v = v.value",
            "else:",
            f"    v = _enum_value(v, _C[{a}], _M)",
        ]
    else:
        convert = []
    vt = column.value_type
    if vt is float:
        body = [
            "if type(v) is float and v - v == 0.0:",
            f"    {var} = repr(v)",
            "else:",
            f"    {slow}",
        ]
    elif vt is int:
        body = [
            "if type(v) is int and -9223372036854775808 <= v <= 9223372036854775807:",
            f"    {var} = f'{{v}}i'",
            "else:",
            f"    {slow}",
        ]
    elif vt is bool:
        body = [
            "if v is True:",
            f"    {var} = 'true'",
            "elif v is False:",
            f"    {var} = 'false'",
            "else:",
            f"    {slow}",
        ]
    else:
        body = [
            "if type(v) is str:",
            "    if '\"' in v or '\\\\' in v:",
            "        v = _escape_string(v)",
            f"    {var} = f'\"{{v}}\"'",
            "else:",
            f"    {slow}",
        ]
    return convert + body


def _indent(lines: list[str], depth: int) -> list[str]:
    pad = "    " * depth
    return [pad + line for line in lines]


def _body(schema: Schema) -> list[str]:
    """The encoding of ``self`` into ``_line``, shared by ``encode`` and ``encode_many``."""
    out: list[str] = []
    if schema.tags:
        values = ", ".join(f"self.{c.attr}" for c in schema.tags)
        out += [
            f"_tv = ({values},)",
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
        out.append(f"v = self.{column.attr}")
        out += _value_lines(column, var)
        sep = "," if i else ""
        pieces += [repr(f"{sep}{lp.escape_key(column.key)}="), f"f'{{{var}}}'"]
    if not schema.fields:
        pieces.append(repr(f"{PLACEHOLDER_FIELD}=true"))
    if optional:
        out.append("_parts = [" + " ".join(pieces) + "]")
        for j, column in enumerate(optional):
            var = f"_o{j}"
            out.append(f"v = self.{column.attr}")
            out.append("if v is not None:")
            out += _indent(_value_lines(column, var), 1)
            out.append(f"    _parts.append({lp.escape_key(column.key) + '='!r} + {var})")
        if not required:
            out += [
                "if not _parts:",
                "    raise _empty(self)",
            ]
        out.append("_fields = ','.join(_parts)")
        fields_expr = "f'{_fields}'"
    else:
        fields_expr = " ".join(pieces)

    time = schema.time
    with_time = f"_line = f'{{_head}} ' {fields_expr} f' {{_t}}'"
    without_time = f"_line = f'{{_head}} ' {fields_expr}"
    convert = [
        "if type(_t) is not int or not _MIN_NS <= _t <= _MAX_NS:",
        f"    _t = _time_ns(_t0, _C[{time.attr!r}], _M)",
    ]
    if time.python_type is datetime:
        # Exact integer arithmetic for the common UTC and naive (= UTC) datetimes.
        convert = [
            "if type(_t) is _datetime and (_t.tzinfo is _UTC or _t.tzinfo is None):",
            "    _t = (_t - (_EPOCH_NAIVE if _t.tzinfo is None else _EPOCH_UTC)) // _US * 1000",
            *convert,
        ]
    convert.insert(0, "_t0 = _t")
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
        ]
    )
    make_head, head_cache = _head_maker(schema)
    encoders = {
        float: lp.encode_float,
        int: lp.encode_int,
        bool: lp.encode_bool,
        str: lp.encode_string,
    }
    globs: dict[str, Any] = {
        "_M": model,
        "_C": {c.attr: c for c in schema.columns},
        "_E": {c.attr: c.python_type for c in schema.columns if c.is_enum},
        "_ENC": {c.attr: encoders[c.value_type] for c in schema.fields},
        "_heads": head_cache,
        "_make_head": make_head,
        "_slow": _slow_value,
        "_enum_value": _enum_value,
        "_time_ns": _time_ns,
        "_escape_string": lp.escape_string,
        "_empty": lambda obj: _empty_fields(obj, model),
        "_MIN_NS": MIN_NS,
        "_datetime": datetime,
        "_UTC": UTC,
        "_EPOCH_NAIVE": datetime(1970, 1, 1),
        "_EPOCH_UTC": datetime(1970, 1, 1, tzinfo=UTC),
        "_US": timedelta(microseconds=1),
        "_MAX_NS": MAX_NS,
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
    encode = encode_many.__globals__["encode"]
    return Encoder(encode=encode, encode_many=encode_many, source=source, filename=filename)


def encode_instances(encoder: Encoder, objs: Iterable[object], stamp: int | None) -> list[str]:
    """Encode many instances of one model (a thin, typed wrapper of ``encode_many``)."""
    return encoder.encode_many(objs, stamp)
