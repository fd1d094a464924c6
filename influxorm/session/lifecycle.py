"""What happens to open writers and blocking sessions at interpreter exit.

Bulk writers and blocking sessions register here while they are open. At exit, the
blocking sessions still open are closed quietly (their connections and loop threads),
and when bulk writers never closed still hold points, one :class:`UnsentPointsWarning`
says how many were not sent. Nothing is sent at exit: a program that did not close its
writer never asked for the rest to be written.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
import warnings
import weakref
from typing import Protocol

__all__ = [
    "UnsentPointsWarning",
    "register_session",
    "register_writer",
    "unregister_session",
    "unregister_writer",
    "unsent_warning",
]


class UnsentPointsWarning(UserWarning):
    """Points a bulk writer accepted were never sent: it was not closed before the
    interpreter exited or before it was garbage collected."""


class _Writer(Protocol):
    def _take_unsent(self) -> int: ...


class _Session(Protocol):
    def _close_at_exit(self) -> None: ...


_lock = threading.Lock()
_writers: weakref.WeakSet[_Writer] = weakref.WeakSet()
_sessions: weakref.WeakSet[_Session] = weakref.WeakSet()


def register_writer(writer: _Writer) -> None:
    """Count ``writer``'s unsent points at exit (until :func:`unregister_writer`)."""
    with _lock:
        _writers.add(writer)


def unregister_writer(writer: _Writer) -> None:
    """``writer`` is closed: nothing of it is left to report."""
    with _lock:
        _writers.discard(writer)


def register_session(session: _Session) -> None:
    """Close ``session`` at exit unless it is closed before (it unregisters itself by
    being garbage collected or by :func:`unregister_session`)."""
    with _lock:
        _sessions.add(session)


def unregister_session(session: _Session) -> None:
    """``session`` is closed."""
    with _lock:
        _sessions.discard(session)


def unsent_warning(points: int, where: str) -> str:
    """The text of an :class:`UnsentPointsWarning`."""
    return (
        f"influxorm: {points} point(s) accepted by a bulk writer were not sent: {where} "
        "(close the writer, or use it as a context manager, to send them)"
    )


def _at_exit() -> None:
    with _lock:
        sessions = list(_sessions)
        writers = list(_writers)
        _sessions.clear()
        _writers.clear()
    unsent = sum(writer._take_unsent() for writer in writers)
    for session in sessions:
        with contextlib.suppress(Exception):  # exiting anyway: close the others
            session._close_at_exit()
    if unsent:
        warnings.warn(
            unsent_warning(unsent, "the interpreter exited before the writer was closed"),
            UnsentPointsWarning,
            stacklevel=1,
        )


atexit.register(_at_exit)
