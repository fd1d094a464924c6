"""The current session: set by ``with``/``async with`` on a session, read by queries.

Also the contract the query layer relies on, as :class:`SessionProtocol`: the public
query methods both sessions have. A terminal operation hands its query to one of them
(``Query.fetch()`` is ``session.fetch(query)``); an
:class:`~influxorm.session.AsyncSession` returns an awaitable, a blocking
:class:`~influxorm.session.Session` the result. This module imports no session.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any, Protocol

from influxorm.exceptions import NoSessionError

if TYPE_CHECKING:
    from influxorm.query.query import AggregateQuery, IntoQuery, Query

__all__ = [
    "SessionProtocol",
    "get_current_session",
    "reset_current_session",
    "set_current_session",
]


class SessionProtocol(Protocol):
    """What the query layer may call on a session of either kind (its public methods).

    The results are awaitables on an ``AsyncSession`` and values on a ``Session``, hence
    ``Any``; the sessions' own signatures are precise.
    """

    def fetch(self, query: Query[Any], /) -> Any: ...
    def first(self, query: Query[Any], /) -> Any: ...
    def count(self, query: Query[Any], /) -> Any: ...
    def exists(self, query: Query[Any], /) -> Any: ...
    def iterate(self, query: Query[Any], /, *, chunk_size: int = ...) -> Any: ...
    def to_dataframe(self, query: Query[Any] | AggregateQuery[Any], /) -> Any: ...
    def delete(self, query: Query[Any], /) -> Any: ...
    def fetch_rows(self, query: AggregateQuery[Any], /) -> Any: ...
    def first_row(self, query: AggregateQuery[Any], /) -> Any: ...
    def iterate_rows(self, query: AggregateQuery[Any], /, *, chunk_size: int = ...) -> Any: ...
    def select_into(self, query: IntoQuery[Any], /) -> Any: ...


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
