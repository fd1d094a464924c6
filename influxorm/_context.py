"""The current session: set by ``with``/``async with`` on a session, read by queries.

Also the contract the query layer relies on, as :class:`SessionProtocol`: a terminal
operation builds a coroutine on the session's ``_async`` side and hands it to
``_complete`` (an :class:`~influxorm.session.AsyncSession` returns it for the caller to
await; a blocking :class:`~influxorm.session.Session` runs it and returns the result).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from influxorm.exceptions import NoSessionError

if TYPE_CHECKING:
    from influxorm.session.async_session import AsyncSession

__all__ = [
    "SessionProtocol",
    "get_current_session",
    "reset_current_session",
    "set_current_session",
]

T = TypeVar("T")


class SessionProtocol(Protocol):
    """What the query layer may call on a session of either kind."""

    @property
    def _async(self) -> AsyncSession:
        """The :class:`AsyncSession` doing the I/O (the session itself, or the wrapped one)."""
        ...

    def _complete(self, coro: Coroutine[Any, Any, T]) -> T | Coroutine[Any, Any, T]:
        """Async: ``coro`` unchanged, to be awaited. Blocking: ``coro``'s result."""
        ...

    def _complete_iter(self, ait: AsyncIterator[T]) -> Iterator[T] | AsyncIterator[T]:
        """Async: ``ait`` unchanged. Blocking: a plain iterator pulling from ``ait``."""
        ...


_current_session: ContextVar[SessionProtocol | None] = ContextVar(
    "influxorm_current_session", default=None
)


def get_current_session() -> SessionProtocol:
    """The session of the innermost ``with``/``async with`` block, or NoSessionError."""
    session = _current_session.get()
    if session is None:
        raise NoSessionError(
            "no current session: run this inside `with Session(...):` or "
            "`async with AsyncSession(...):`, or name one with `.using(session)`"
        )
    return session


def set_current_session(session: SessionProtocol) -> Token[SessionProtocol | None]:
    """Make ``session`` current in this context; give the token to :func:`reset_current_session`."""
    return _current_session.set(session)


def reset_current_session(token: Token[SessionProtocol | None]) -> None:
    """Restore the session that was current before ``token``'s :func:`set_current_session`.

    A token from another context (an async fixture's setup and teardown may run in two
    tasks) is ignored: that context's value died with it.
    """
    with contextlib.suppress(ValueError):
        _current_session.reset(token)
