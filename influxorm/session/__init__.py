"""Sessions: :class:`AsyncSession` (the implementation) and :class:`Session` (blocking).

Layout: ``base`` (settings, validation and request building; no I/O), ``messages``
(request/response values), ``transport`` (the transport interface) and
``aiohttp_transport`` (the only module importing aiohttp), ``errors`` (responses ->
exceptions, in one place), ``chunks`` (chunked responses), ``async_session``,
``loop_thread`` and ``blocking``.
"""

from influxorm.session.async_session import AsyncSession
from influxorm.session.blocking import Session
from influxorm.session.chunks import ChunkIterator
from influxorm.session.errors import SessionStateError
from influxorm.session.messages import Request, Response
from influxorm.session.transport import Transport

__all__ = [
    "AsyncSession",
    "ChunkIterator",
    "Request",
    "Response",
    "Session",
    "SessionStateError",
    "Transport",
]
