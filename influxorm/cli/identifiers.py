"""Turn InfluxDB names (any text) into PEP 8 Python names for generated models.

``"host name"`` -> ``host_name``, ``"usageUser"`` -> ``usage_user``, ``"class"`` ->
``class_``, ``"2xx"`` -> ``field_2xx``, ``"cpu-load"`` -> ``CpuLoad`` (classes).
Accents are dropped (``"température"`` -> ``temperature``); a name that keeps nothing
becomes the fallback. :class:`NameAllocator` makes names unique within one scope.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Iterable
from typing import Final

__all__ = ["NameAllocator", "attribute_name", "class_name"]

_ACRONYM_BOUNDARY: Final = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_BOUNDARY: Final = re.compile(r"([a-z0-9])([A-Z])")
_NOT_ALNUM: Final = re.compile(r"[^A-Za-z0-9]+")


def _ascii_words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = _ACRONYM_BOUNDARY.sub(r"\1_\2", text)
    text = _CAMEL_BOUNDARY.sub(r"\1_\2", text)
    return [word for word in _NOT_ALNUM.split(text) if word]


def _not_keyword(name: str) -> str:
    return f"{name}_" if keyword.iskeyword(name) else name


def attribute_name(name: str, *, fallback: str = "value") -> str:
    """A lower_snake_case identifier for ``name``; ``fallback`` prefixes or replaces it.

    Keywords get a trailing underscore; a name starting with a digit gets the prefix.
    """
    text = "_".join(word.lower() for word in _ascii_words(name))
    if not text:
        return fallback
    if text[0].isdigit():
        text = f"{fallback}_{text}"
    return _not_keyword(text)


def class_name(name: str, *, fallback: str = "Measurement") -> str:
    """A CapWords identifier for ``name``; ``fallback`` prefixes or replaces it."""
    text = "".join(word[0].upper() + word[1:].lower() for word in _ascii_words(name))
    if not text:
        return fallback
    if text[0].isdigit():
        text = f"{fallback}{text}"
    return _not_keyword(text)


class NameAllocator:
    """Hands out identifiers unique in one scope: ``x``, then ``x_2``, ``x_3``...

    ``reserved`` names are never handed out (e.g. the attributes a base class defines).
    """

    def __init__(self, reserved: Iterable[str] = (), *, separator: str = "_") -> None:
        self._taken = set(reserved)
        self._separator = separator

    def take(self, wanted: str) -> str:
        """Return ``wanted`` or the first free ``wanted<sep>N`` (N >= 2), and reserve it."""
        candidate = wanted
        number = 2
        while candidate in self._taken:
            candidate = f"{wanted}{self._separator}{number}"
            number += 1
        self._taken.add(candidate)
        return candidate
