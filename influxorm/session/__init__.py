"""Sessions: :class:`AsyncSession` (the implementation) and :class:`Session` (blocking).

Layout (read in this order to follow a call; docs/internals.md has the whole map):
``async_session`` (settings, lifecycle, one-line public methods) and ``blocking``
(``Session`` on a ``loop_thread``); ``options`` (``SessionOptions``, declared once with
their checks; URLs, environment, TLS) and ``config`` (settings and request building, no
I/O); ``writing`` (``write()``), ``routing`` (where points go), ``batching`` (request
bodies), ``writer``/``blocking_writer`` (bulk writers); ``raw_query`` (``query()``),
``querying`` (model queries against a raw-query callable), ``chunks``; ``admin`` and
``patterns``; ``sender`` and ``retry`` (every request), ``errors`` (responses ->
exceptions, in one place), ``messages``/``transport``/``aiohttp_transport`` (the only
module importing aiohttp); ``lifecycle`` (what exit does with open writers and sessions).
"""

from influxorm.exceptions import SessionStateError, UnsentBatchError
from influxorm.session.async_session import AsyncSession
from influxorm.session.blocking import Session
from influxorm.session.blocking_writer import BulkWriter
from influxorm.session.chunks import ChunkIterator
from influxorm.session.lifecycle import UnsentPointsWarning
from influxorm.session.messages import Request, Response
from influxorm.session.patterns import register_pattern
from influxorm.session.retry import NO_RETRY, RetryPolicy
from influxorm.session.transport import Transport
from influxorm.session.writer import (
    AsyncBulkWriter,
    FailedBatch,
    OnError,
    OnProgress,
    WriterProgress,
)

__all__ = [
    "NO_RETRY",
    "AsyncBulkWriter",
    "AsyncSession",
    "BulkWriter",
    "ChunkIterator",
    "FailedBatch",
    "OnError",
    "OnProgress",
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
