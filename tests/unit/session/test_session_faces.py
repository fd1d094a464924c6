"""The blocking ``Session`` cannot drift from ``AsyncSession``: same public names, same
parameters (names, kinds, defaults, annotations), same results (an ``AsyncIterator``
becoming an ``Iterator``, the bulk writer its blocking face); and the options are
declared once, with their checks."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any, get_overloads, get_type_hints

import pytest

from influxorm.session import AsyncSession, Session
from influxorm.session.config import SessionConfig
from influxorm.session.options import _SESSION_OPTIONS, SessionOptions

#: What differs by design: the async face's name or type -> the blocking face's.
BLOCKING_NAMES = {"aclose": "close"}
BLOCKING_TYPES = {
    "AsyncIterator": "Iterator",
    "AsyncBulkWriter": "BulkWriter",
    "ChunkIterator": "Iterator",  # a chunked answer, pulled through the loop thread
}


def _public(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def _text(annotation: object) -> str:
    text = annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)
    text = re.sub(r"\b[a-z_]+\.", "", str(text))  # statements.Privilege -> Privilege
    for async_type, blocking_type in BLOCKING_TYPES.items():
        text = re.sub(rf"\b{async_type}\b", blocking_type, text)
    return text


def _shape(function: Callable[..., Any]) -> tuple[list[tuple[str, Any, object, str]], str]:
    signature = inspect.signature(function)
    params = [
        (p.name, p.kind, p.default, _text(p.annotation)) for p in signature.parameters.values()
    ]
    return params, _text(signature.return_annotation)


def test_both_faces_have_the_same_public_names() -> None:
    renamed = {BLOCKING_NAMES.get(name, name) for name in _public(AsyncSession)}
    assert renamed == _public(Session)


@pytest.mark.parametrize("name", sorted(_public(AsyncSession)))
def test_every_public_signature_matches(name: str) -> None:
    async_member = inspect.getattr_static(AsyncSession, name)
    blocking_member = inspect.getattr_static(Session, BLOCKING_NAMES.get(name, name))
    if isinstance(async_member, property):
        assert isinstance(blocking_member, property)
        assert (async_member.fset is None) == (blocking_member.fset is None), name
        return
    async_function = getattr(AsyncSession, name)
    blocking_function = getattr(Session, BLOCKING_NAMES.get(name, name))
    assert _shape(async_function) == _shape(blocking_function)
    async_overloads = [_shape(f) for f in get_overloads(async_function)]
    blocking_overloads = [_shape(f) for f in get_overloads(blocking_function)]
    assert async_overloads == blocking_overloads


def test_the_constructor_takes_the_declared_options() -> None:
    for cls in (AsyncSession, Session):
        params = inspect.signature(cls).parameters
        assert list(params) == ["url", "transport", "options"]
        assert params["options"].kind is inspect.Parameter.VAR_KEYWORD


def test_options_are_declared_once_with_their_checks() -> None:
    declared = set(get_type_hints(SessionOptions))
    config = inspect.signature(SessionConfig).parameters
    keywords = {n for n, p in config.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert declared == keywords
    assert declared <= set(_SESSION_OPTIONS)
