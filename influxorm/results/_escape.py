"""Scalar line-protocol checks and escapes for names (measurement, tag keys, field keys).

The rules are those of INFLUXDB_NOTES.md (the same as :mod:`influxorm.lineprotocol`); the
frame encoder needs them once per column, so plain Python is fast enough here. Value
escaping for whole columns lives in :mod:`influxorm.results._frame_ops`.
"""

from __future__ import annotations

from influxorm.exceptions import ValidationError

__all__ = ["check_tag_value", "escape_key", "escape_measurement", "escape_tag_value"]

# LF splits a line; CR, NUL and form feed break parsing (INFLUXDB_NOTES.md).
BREAKING_CHARACTERS = ("\n", "\r", "\x00", "\x0c")


def _check_name(text: str, what: str, *, model: str | None) -> None:
    if not isinstance(text, str) or not text:
        raise ValidationError(f"{what} must be a non-empty str, got {text!r}", model=model)
    for char in BREAKING_CHARACTERS:
        if char in text:
            raise ValidationError(
                f"{what} {text!r} contains {char!r}, which line protocol cannot carry",
                model=model,
                value=text,
            )
    if text.endswith("\\"):
        raise ValidationError(
            f"{what} {text!r} ends with a backslash, which line protocol cannot represent",
            model=model,
            value=text,
        )


def escape_measurement(name: str, *, model: str | None = None) -> str:
    """Validate and escape a measurement name (``,`` and space)."""
    _check_name(name, "measurement name", model=model)
    if name.startswith("#"):
        raise ValidationError(
            f"measurement name {name!r} starts with '#': the server would read the line as a "
            "comment and store nothing",
            model=model,
            value=name,
        )
    return name.replace(",", "\\,").replace(" ", "\\ ")


def escape_key(key: str, what: str, *, model: str | None = None) -> str:
    """Validate and escape a tag key or field key (``,`` ``=`` and space)."""
    _check_name(key, what, model=model)
    if key == "time":
        raise ValidationError(
            f"{what} 'time' is reserved: the server drops or rejects it", model=model, value=key
        )
    return key.replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def check_tag_value(value: str, key: str, *, model: str | None = None) -> None:
    """Raise unless ``value`` can be written as the value of tag ``key``."""
    _check_name(value, f"value of tag {key!r}", model=model)


def escape_tag_value(value: str, key: str, *, model: str | None = None) -> str:
    """Validate and escape one tag value (``,`` ``=`` and space)."""
    check_tag_value(value, key, model=model)
    return value.replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")
