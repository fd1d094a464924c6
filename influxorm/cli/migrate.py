"""``influxorm migrate module:attribute``: bring a database's retention policies and
continuous queries to the declarations in the code.

``attribute`` names either an iterable of :class:`~influxorm.RetentionPolicy` and
:class:`~influxorm.ContinuousQuery` declarations, or an object (a module, a class, a
namespace, a dict) with ``retention_policies`` and/or ``continuous_queries``.

Exit status: 0 when nothing was pending (or ``--apply`` applied every change), 3 when
changes are pending and were only printed (the plan, without ``--apply``), 1 for a
failure (nothing applied after the failing statement), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from influxorm.cli.options import CliError, open_session, require_database
from influxorm.cli.table import format_table
from influxorm.query.downsampling import ContinuousQuery, RetentionPolicy
from influxorm.query.migrations import Change

__all__ = ["PENDING", "add_parser", "load_declarations", "plan_table", "run"]

#: Exit status of a plan with changes that were not applied.
PENDING: Final = 3


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: Sequence[argparse.ArgumentParser],
) -> None:
    """Register ``migrate``."""
    parser = subparsers.add_parser(
        "migrate",
        parents=parents,
        help="plan (and with --apply, make) the retention policies and continuous queries "
        "declared in code",
        description=(
            "Compare the retention policies and continuous queries declared at "
            "module:attribute with the database's and print the changes. Exit status 0: "
            "nothing pending (or all applied with --apply); 3: changes pending, not applied; "
            "1: failure; 2: usage."
        ),
    )
    parser.add_argument(
        "declarations",
        metavar="module:attribute",
        help="where the declarations are, e.g. myapp.storage:DOWNSAMPLING",
    )
    parser.add_argument("--apply", action="store_true", help="make the changes")
    parser.add_argument(
        "--prune",
        action="store_true",
        help="also drop retention policies and continuous queries that are not declared",
    )
    parser.set_defaults(run=run)


def load_declarations(
    spec: str,
) -> tuple[list[RetentionPolicy], list[ContinuousQuery]]:
    """Import ``module:attribute`` and sort its declarations by kind."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise CliError(f"give the declarations as module:attribute, not {spec!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # as `python -m` does: the project's own modules
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as error:
        raise CliError(f"cannot import {module_name!r}: {error}") from None
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise CliError(f"{module_name!r} has no attribute {attribute!r}") from None
    return _sort(spec, _items(target))


def _items(target: Any) -> list[Any]:
    if isinstance(target, Mapping):
        found = [target.get("retention_policies", ()), target.get("continuous_queries", ())]
    elif hasattr(target, "retention_policies") or hasattr(target, "continuous_queries"):
        found = [
            getattr(target, "retention_policies", ()),
            getattr(target, "continuous_queries", ()),
        ]
    elif isinstance(target, Iterable) and not isinstance(target, str | bytes):
        return list(target)
    else:
        return [target]
    return [item for group in found for item in group]


def _sort(spec: str, items: list[Any]) -> tuple[list[RetentionPolicy], list[ContinuousQuery]]:
    policies = [item for item in items if isinstance(item, RetentionPolicy)]
    queries = [item for item in items if isinstance(item, ContinuousQuery)]
    others = [item for item in items if not isinstance(item, RetentionPolicy | ContinuousQuery)]
    if others:
        raise CliError(
            f"{spec}: expected RetentionPolicy and ContinuousQuery declarations, "
            f"found {others[0]!r}"
        )
    return policies, queries


def plan_table(changes: Sequence[Change]) -> str:
    """The changes as a table: action, kind, name and the statement."""
    return format_table(
        ["action", "kind", "name", "statement"],
        [[c.action, c.kind, c.name, c.statement] for c in changes],
    )


async def run(args: argparse.Namespace) -> int:
    """Plan, print, and with ``--apply`` apply."""
    database = require_database(args)
    policies, queries = load_declarations(args.declarations)
    async with open_session(args) as session:
        changes = await session.migrate(
            retention_policies=policies,
            continuous_queries=queries,
            database=database,
            prune=args.prune,
            dry_run=not args.apply,
        )
    if not changes:
        print(f"{database}: nothing to change")
        return 0
    print(plan_table(changes))
    if args.apply:
        print(f"{database}: applied {len(changes)} change(s)")
        return 0
    print(f"{database}: {len(changes)} change(s) pending; run with --apply to make them")
    return PENDING
