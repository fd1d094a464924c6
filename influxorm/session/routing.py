"""Routing: which database and retention policy a write's points go to.

One rule for :meth:`AsyncSession.write <influxorm.session.AsyncSession.write>` and the
bulk writer: without ``db=``, points of a model whose class names ``database=`` or
``retention_policy=`` go there (:func:`group_by_model_target` splits a write by model
class), everything else to the session's database; ``rp=`` overrides the retention
policy; with ``db=`` everything goes to ``db``. :func:`route` makes the target.
"""

from __future__ import annotations

from collections.abc import Sequence

from influxorm.models.measurement import Measurement
from influxorm.models.schema import schema_of
from influxorm.session.config import Precision
from influxorm.session.sender import WriteTarget

__all__ = ["NO_MODEL_TARGET", "TargetKey", "group_by_model_target", "model_target", "route"]

#: A model class's ``(database=, retention_policy=)``; :data:`NO_MODEL_TARGET` for other points.
TargetKey = tuple[str | None, str | None]
NO_MODEL_TARGET: TargetKey = (None, None)


def route(
    key: TargetKey,
    *,
    db: str | None,
    rp: str | None,
    precision: Precision | None,
    consistency: str | None = None,
) -> WriteTarget | None:
    """Where points with model target ``key`` go: the model's database, else ``db`` (the
    call's or the session's default); ``rp`` (the call's) over the model's retention
    policy; ``consistency`` the (Enterprise) write consistency. None when neither names a
    database (the caller says how to give one)."""
    model_db, model_rp = key
    database = model_db or db
    if not database:
        return None
    return WriteTarget(database, rp if rp is not None else model_rp, precision, consistency)


def group_by_model_target(
    data: object,
) -> dict[TargetKey, list[object]] | None:
    """``data``'s items grouped by the ``database=``/``retention_policy=`` of their model
    class, in order; None when no model in ``data`` names either (the common case, which
    then costs one pass over the distinct types)."""
    items: Sequence[object]
    if isinstance(data, Measurement):
        items = (data,)
    elif isinstance(data, (list, tuple)):
        items = data
    else:
        return None
    targets = {}
    for cls in {type(item) for item in items}:
        if isinstance(cls, type) and issubclass(cls, Measurement):
            target = model_target(cls)
            if target is not None:
                targets[cls] = target
    if not targets:
        return None
    groups: dict[TargetKey, list[object]] = {}
    for item in items:
        groups.setdefault(targets.get(type(item), (None, None)), []).append(item)
    return groups


def model_target(model: type[Measurement]) -> TargetKey | None:
    """``(database, retention_policy)`` named by ``model``'s class keywords, or None."""
    schema = schema_of(model)
    if schema.database is None and schema.retention_policy is None:
        return None
    return schema.database, schema.retention_policy
