"""Sessions: :class:`AsyncSession` (the implementation) and :class:`Session` (blocking).

Layout: ``base`` (settings, validation and request building; no I/O), ``options`` (URL
and environment configuration, TLS), ``messages`` (request/response values),
``transport`` (the transport interface) and ``aiohttp_transport`` (the only module
importing aiohttp), ``errors`` (responses -> exceptions, in one place), ``retry`` (the
retry policy and loop), ``batching`` (bodies, 413 splits, idempotency), ``sending`` (the
request path), ``chunks`` (chunked responses), ``admin`` (SHOW results) and
``patterns`` (the pattern registry; statements come from
:mod:`influxorm.query.statements`), ``writer`` and ``blocking_writer`` (bulk
writers), ``lifecycle`` (what exit does with open writers and sessions),
``async_session``, ``loop_thread`` and ``blocking``.
"""

from influxorm.session.async_session import AsyncSession
from influxorm.session.blocking import Session
from influxorm.session.blocking_writer import BulkWriter
from influxorm.session.chunks import ChunkIterator
from influxorm.session.errors import SessionStateError
from influxorm.session.lifecycle import UnsentPointsWarning
from influxorm.session.messages import Request, Response
from influxorm.session.patterns import register_pattern
from influxorm.session.retry import NO_RETRY, RetryPolicy
from influxorm.session.transport import Transport
from influxorm.session.writer import (
    AsyncBulkWriter,
    FailedBatch,
    UnsentBatchError,
    WriterProgress,
)

__all__ = [
    "NO_RETRY",
    "AsyncBulkWriter",
    "AsyncSession",
    "BulkWriter",
    "ChunkIterator",
    "FailedBatch",
    "Request",
    "Response",
    "RetryPolicy",
    "Session",
    "SessionStateError",
    "Transport",
    "UnsentBatchError",
    "UnsentPointsWarning",
    "WriterProgress",
    "register_pattern",
]
