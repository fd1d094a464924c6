"""Writing: what ``AsyncSession.write`` does with what it is given.

Everything is validated and counted before the first request: models, dicts and raw
line protocol through :func:`influxorm.models.writing.encode_lines` (a list of models a
batch at a time, see ``model_line_batches``), DataFrames through
:func:`influxorm.frames.encoder.encode_dataframe`. Points are routed to a database and
retention policy by :func:`influxorm.session.routing.route`, cut into request bodies by
:func:`influxorm.session.batching.cut` and sent by :meth:`Sender.write_bodies
<influxorm.session.sender.Sender.write_bodies>` with bounded concurrency.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from influxorm.exceptions import ValidationError
from influxorm.linescan import chunk_points
from influxorm.models.writing import encode_lines, model_line_batches
from influxorm.progress import Progress
from influxorm.session.batching import (
    DEFAULT_MAX_BODY_BYTES,
    WriteBatch,
    bodies,
    frame_batches,
    has_raw,
    is_dataframe,
    line_batches,
    materialize,
    raw_batches,
)
from influxorm.session.config import (
    Precision,
    SessionConfig,
    check_precision,
    require_raw_for_precision,
)
from influxorm.session.routing import NO_MODEL_TARGET, TargetKey, group_by_model_target, route
from influxorm.session.sender import Sender, WriteTarget
from influxorm.session.servers import Consistency, check_consistency, needs_profile, resolve
from influxorm.session.writer import AsyncBulkWriter, OnError, OnProgress

__all__ = ["open_writer", "write"]

logger = logging.getLogger("influxorm")


async def write(
    config: SessionConfig,
    sender: Sender,
    data: object,
    *,
    db: str | None,
    rp: str | None,
    precision: Precision | None,
    measurement: str | None,
    tag_columns: Sequence[str],
    progress: Progress | None,
    consistency: Consistency | None,
    extra_tags: Mapping[str, str],
) -> int:
    """:meth:`AsyncSession.write <influxorm.session.AsyncSession.write>` on ``config``'s
    server through ``sender``; returns the number of points written."""
    if precision is not None:
        check_precision(precision)
        if needs_profile(precision):
            await resolve(config.server, sender)
    check_consistency(consistency)
    if is_dataframe(data):
        target = WriteTarget(config.require_database(db), rp, precision, consistency)
        return await _write_dataframe(
            config, sender, data, target, measurement, tag_columns, extra_tags, progress
        )
    if measurement is not None or tag_columns or extra_tags:
        raise ValidationError(
            "measurement=, tag_columns= and extra tags apply to DataFrame writes only"
        )
    data = materialize(require_raw_for_precision(data, precision))
    if precision is not None:
        # u/m/h on InfluxDB 3: timestamps converted to ns; what has no form refused.
        data, precision = config.server.scaled(data, precision)  # type: ignore[assignment]
        config.server.wire_precision(precision)
    stamp = time.time_ns()
    # Everything is validated (and counted) before the first request is sent. Models
    # whose class names a database= or retention_policy= go there unless the call
    # names db= (rp= alone overrides only the retention policy): see routing.
    groups = group_by_model_target(data) if db is None else None
    parts = [(NO_MODEL_TARGET, data)] if groups is None else list(groups.items())
    plans = [
        _plan(config, items, _target(config, key, db, rp, precision, consistency), stamp)
        for key, items in parts
    ]
    total = sum(plan.points for plan in plans)
    report = _ProgressOffset(progress, total) if progress is not None else None
    for plan in plans:
        if not plan.points:
            continue
        await sender.write_bodies(
            plan.batches,
            plan.target,
            idempotent=plan.idempotent,
            max_concurrency=config.max_concurrency,
            progress=report,
            total=total,
        )
        if report is not None:
            report.offset += plan.points
    return total


def _target(
    config: SessionConfig,
    key: TargetKey,
    db: str | None,
    rp: str | None,
    precision: Precision | None,
    consistency: Consistency | None,
) -> WriteTarget:
    default = db if db is not None else config.database
    # route() finds no database exactly when require_database raises its message.
    found = route(key, db=default, rp=rp, precision=precision, consistency=consistency)
    return found or WriteTarget(config.require_database(db), rp, precision, consistency)


def open_writer(
    config: SessionConfig,
    sender: Sender,
    *,
    batch_size: int,
    flush_interval: float | None,
    max_concurrency: int | None,
    max_buffer: int | None,
    on_error: OnError | None,
    on_progress: OnProgress | None,
    db: str | None,
    rp: str | None,
    consistency: Consistency | None,
) -> AsyncBulkWriter:
    """:meth:`AsyncSession.writer <influxorm.session.AsyncSession.writer>`: a bulk writer
    sending through ``sender``, routing models as :func:`write` does unless ``db`` is given."""
    check_consistency(consistency)
    target = None
    if db is not None or config.database:
        target = WriteTarget(config.require_database(db), rp, None, consistency)
    return AsyncBulkWriter(
        sender,
        target,
        route_models=db is None,
        default_rp=rp,
        batch_size=batch_size,
        flush_interval=flush_interval,
        max_concurrency=max_concurrency or config.max_concurrency,
        max_buffer=max_buffer,
        on_error=on_error,
        on_progress=on_progress,
        consistency=consistency,
    )


def _plan(config: SessionConfig, data: object, target: WriteTarget, stamp: int) -> _WritePlan:
    """Validate and count ``data``; its batches are encoded when sent for a list of
    model instances, now for anything else."""
    batch_size = config.batch_size
    prepared = model_line_batches(data, batch_size, stamp_ns=stamp)
    if prepared is not None:
        points, line_runs = prepared
        return _WritePlan(target, points, line_batches(line_runs, DEFAULT_MAX_BODY_BYTES), True)
    lines = encode_lines(data, stamp_ns=stamp)
    if has_raw(data):
        counts = [chunk_points(chunk) for chunk in lines]
        batches = raw_batches(lines, counts, batch_size, DEFAULT_MAX_BODY_BYTES)
        return _WritePlan(target, sum(counts), batches, None)
    return _WritePlan(target, len(lines), bodies(lines, batch_size, DEFAULT_MAX_BODY_BYTES), True)


async def _write_dataframe(
    config: SessionConfig,
    sender: Sender,
    df: Any,
    target: WriteTarget,
    measurement: str | None,
    tag_columns: Sequence[str],
    extra_tags: Mapping[str, str],
    progress: Progress | None,
) -> int:
    from influxorm.frames.encoder import encode_dataframe

    if measurement is None:
        raise ValidationError("a DataFrame write needs measurement=...")
    if target.precision not in (None, "n"):
        raise ValidationError("a DataFrame is written with nanosecond times: drop precision=")
    encoded = encode_dataframe(
        df,
        measurement=measurement,
        tag_columns=tag_columns,
        extra_tags=extra_tags,
        batch_rows=config.batch_size,
    )
    if encoded.skipped_rows:
        logger.info(
            "DataFrame write to %r: %d row(s) left out, every field missing",
            measurement,
            encoded.skipped_rows,
        )
    await sender.write_bodies(
        frame_batches(encoded.batches, encoded.rows, DEFAULT_MAX_BODY_BYTES),
        target,
        idempotent=True,
        max_concurrency=config.max_concurrency,
        progress=progress,
        total=encoded.rows,
    )
    return encoded.rows


class _WritePlan:
    """One target's share of a write: validated and counted, batches possibly lazy."""

    __slots__ = ("batches", "idempotent", "points", "target")

    def __init__(
        self,
        target: WriteTarget,
        points: int,
        batches: Iterable[WriteBatch],
        idempotent: bool | None,
    ) -> None:
        self.target = target
        self.points = points
        self.batches = batches
        self.idempotent = idempotent


class _ProgressOffset:
    """A write's progress across its targets: each target's counts start where the
    previous target's ended."""

    __slots__ = ("offset", "progress", "total")

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.total = total
        self.offset = 0

    def __call__(self, done: int, total: int | None, what: str) -> None:
        self.progress(self.offset + done, self.total, what)
