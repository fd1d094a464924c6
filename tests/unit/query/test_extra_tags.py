"""Queries on a model's ``extra_tags``: filters and GROUP BY, never attributes.

Compiler tables (query -> exact InfluxQL text and bind parameters) and the misuses
refused when the query is built.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

import influxorm as orm
from influxorm.models.hydration import hydrate_series
from influxorm.models.schema import ColumnKind, schema_of
from influxorm.query import compile_delete, compile_query


class Cpu(orm.Measurement, name="cpu", extra_tags={"region": "eu-west", 'data "center"': "x"}):
    time: datetime = orm.time()
    host: str = orm.tag()
    usage: float = orm.field(name="usage_percent")


class GpuCpu(Cpu, name="cpu", extra_tags={"accelerator": "yes"}):
    """Inherits ``region`` (and the quoted key) from ``Cpu``."""


SELECT_CASES: list[tuple[str, Any, str, dict[str, Any]]] = [
    (
        "eq",
        lambda: Cpu.objects.where(region="eu-west"),
        'SELECT * FROM "cpu" WHERE "region" = $p0',
        {"p0": "eu-west"},
    ),
    (
        "eq explicit",
        lambda: Cpu.objects.where(region__eq="eu-west"),
        'SELECT * FROM "cpu" WHERE "region" = $p0',
        {"p0": "eu-west"},
    ),
    (
        "ne",
        lambda: Cpu.objects.where(region__ne="eu-west"),
        'SELECT * FROM "cpu" WHERE "region" <> $p0',
        {"p0": "eu-west"},
    ),
    (
        "in",
        lambda: Cpu.objects.where(region__in=["eu-west", "us-east", "eu-west"]),
        'SELECT * FROM "cpu" WHERE "region" = $p0 OR "region" = $p1',
        {"p0": "eu-west", "p1": "us-east"},
    ),
    (
        "in empty matches nothing",
        lambda: Cpu.objects.where(region__in=[]),
        'SELECT * FROM "cpu" WHERE "region" = $p0 AND "region" <> $p1',
        {"p0": "", "p1": ""},
    ),
    (
        "regex str",
        lambda: Cpu.objects.where(region__regex="^eu-"),
        'SELECT * FROM "cpu" WHERE "region" =~ $p0',
        {"p0": {"regex": "^eu-"}},
    ),
    (
        "regex compiled with flags",
        lambda: Cpu.objects.where(region__regex=re.compile("^EU/", re.IGNORECASE)),
        'SELECT * FROM "cpu" WHERE "region" =~ $p0',
        {"p0": {"regex": "(?i)^EU/"}},
    ),
    (
        "hostile value is bound",
        lambda: Cpu.objects.where(region="x' OR 1=1; DROP DATABASE x --"),
        'SELECT * FROM "cpu" WHERE "region" = $p0',
        {"p0": "x' OR 1=1; DROP DATABASE x --"},
    ),
    (
        "key needing quotes",
        lambda: Cpu.objects.where(**{'data "center"': "x"}),
        'SELECT * FROM "cpu" WHERE "data \\"center\\"" = $p0',
        {"p0": "x"},
    ),
    (
        "with declared columns",
        lambda: Cpu.objects.where(region="eu-west", host="a", usage__gt=50),
        'SELECT * FROM "cpu" WHERE "region" = $p0 AND "host" = $p1 AND "usage_percent" > 50.0',
        {"p0": "eu-west", "p1": "a"},
    ),
    (
        "Q or with a declared tag",
        lambda: Cpu.objects.where(orm.Q(region="eu-west") | orm.Q(host="a")),
        'SELECT * FROM "cpu" WHERE "region" = $p0 OR "host" = $p1',
        {"p0": "eu-west", "p1": "a"},
    ),
    (
        "Q not pushes down",
        lambda: Cpu.objects.where(~(orm.Q(region="eu-west") & orm.Q(region__regex="^us"))),
        'SELECT * FROM "cpu" WHERE "region" <> $p0 OR "region" !~ $p1',
        {"p0": "eu-west", "p1": {"regex": "^us"}},
    ),
    (
        "exclude",
        lambda: Cpu.objects.exclude(region="eu-west"),
        'SELECT * FROM "cpu" WHERE "region" <> $p0',
        {"p0": "eu-west"},
    ),
    (
        "exclude in",
        lambda: Cpu.objects.exclude(region__in=["a", "b"]),
        'SELECT * FROM "cpu" WHERE "region" <> $p0 AND "region" <> $p1',
        {"p0": "a", "p1": "b"},
    ),
    (
        "inherited and own extra tags",
        lambda: GpuCpu.objects.where(region="eu-west", accelerator="yes"),
        'SELECT * FROM "cpu" WHERE "region" = $p0 AND "accelerator" = $p1',
        {"p0": "eu-west", "p1": "yes"},
    ),
    (
        "group by, rows",
        lambda: Cpu.objects.group_by("region"),
        'SELECT * FROM "cpu" GROUP BY "region"',
        {},
    ),
    (
        "group by with a declared tag and time, aggregate",
        lambda: (
            Cpu.objects.where(region__ne="x")
            .aggregate(avg=orm.Mean("usage"))
            .group_by("region", "host", 'data "center"', orm.every("1h"), fill=0)
        ),
        'SELECT mean("usage_percent") AS "avg" FROM "cpu" WHERE "region" <> $p0 '
        'GROUP BY "region", "host", "data \\"center\\"", time(1h) fill(0)',
        {"p0": "x"},
    ),
    (
        "group by repeated once",
        lambda: Cpu.objects.aggregate(n=orm.Count("usage")).group_by("region", "region"),
        'SELECT count("usage_percent") AS "n" FROM "cpu" GROUP BY "region"',
        {},
    ),
    (
        "into keeps the filter",
        lambda: Cpu.objects.where(region="eu-west").into("cpu_eu"),
        'SELECT * INTO "cpu_eu" FROM "cpu" WHERE "region" = $p0 GROUP BY *',
        {"p0": "eu-west"},
    ),
    ("no implicit filter", lambda: Cpu.objects, 'SELECT * FROM "cpu"', {}),
    (
        "top per extra tag",
        lambda: Cpu.objects.aggregate(best=orm.Top("usage", 2, tags=("region",))),
        'SELECT top("usage_percent", "region", 2) AS "best" FROM "cpu"',
        {},
    ),
]


@pytest.mark.parametrize(
    ("build", "text", "params"),
    [pytest.param(b, t, p, id=i) for i, b, t, p in SELECT_CASES],
)
def test_select_on_extra_tags(build: Any, text: str, params: dict[str, Any]) -> None:
    query = build()
    assert compile_query(query) == (text, params)
    assert (query.influxql, query.params) == (text, params)


def test_delete_scoped_by_extra_tag() -> None:
    query = Cpu.objects.where(region="eu-west", time__lt=0)
    assert compile_delete(query) == (
        'DELETE FROM "cpu" WHERE "region" = $p0 AND time < $p1',
        {"p0": "eu-west", "p1": "1970-01-01T00:00:00Z"},
    )


ERROR_CASES: list[tuple[str, Any, str]] = [
    # Exactly the refusals of a declared str tag.
    ("gt", lambda: Cpu.objects.where(region__gt="a"), "Cpu.region is a tag"),
    ("lte", lambda: Cpu.objects.where(region__lte="a"), "Cpu.region is a tag"),
    ("negated gt", lambda: Cpu.objects.exclude(region__gte="a"), "Cpu.region is a tag"),
    ("int value", lambda: Cpu.objects.where(region=1), "Cpu.region holds str values"),
    ("bool value", lambda: Cpu.objects.where(region=True), "Cpu.region holds str values"),
    ("in int", lambda: Cpu.objects.where(region__in=["a", 2]), "Cpu.region holds str values"),
    ("in needs a list", lambda: Cpu.objects.where(region__in="eu"), "needs a list"),
    ("regex not text", lambda: Cpu.objects.where(region__regex=1), "takes a str or re"),
    # Not attributes: what takes attributes refuses them, saying what they are.
    ("only", lambda: Cpu.objects.only("region", "usage"), "it is one of its extra_tags"),
    ("aggregate", lambda: Cpu.objects.aggregate(m=orm.Mean("region")), "one of its extra_tags"),
    # An unknown name lists the extra tags too.
    (
        "unknown",
        lambda: Cpu.objects.where(regoin="eu"),
        "Cpu has no column 'regoin' (columns: time, host, usage; extra_tags: "
        'data "center", region)',
    ),
    ("unknown group by", lambda: Cpu.objects.group_by("regoin"), "no column 'regoin'"),
    ("another model's extra tag", lambda: Cpu.objects.where(accelerator="yes"), "no column"),
]


@pytest.mark.parametrize(
    ("build", "message"), [pytest.param(b, m, id=i) for i, b, m in ERROR_CASES]
)
def test_misuse_is_refused(build: Any, message: str) -> None:
    with pytest.raises(orm.QueryBuildError) as info:
        build()
    assert message in str(info.value)


def test_extra_tag_is_no_column_of_the_schema() -> None:
    schema = schema_of(Cpu)
    region = schema.filter_column("region")
    assert (region.key, region.kind, region.value_type, region.optional) == (
        "region",
        ColumnKind.TAG,
        str,
        False,
    )
    assert schema.get("region") is None
    assert region not in schema.columns
    # Attributes and keys resolve as before.
    assert schema.filter_column("usage") is schema.column("usage_percent")


def test_hydration_ignores_the_extra_tag_column() -> None:
    (cpu,) = hydrate_series(
        Cpu, ["time", "host", "region", "usage_percent"], [[5, "a", "eu-west", 1.5]]
    )
    assert (cpu.host, cpu.usage) == ("a", 1.5)
    assert not hasattr(cpu, "region")


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ("usage", "'usage' already names Ambiguous.usage (key 'usage_percent')"),
        ("ts", "'ts' already names Ambiguous.ts (key 'time')"),
        ("usage_percent", "key 'usage_percent' is already a column (Ambiguous.usage)"),
    ],
)
def test_extra_tag_named_like_a_column_is_refused(declared: str, message: str) -> None:
    """A name where() would read two ways is refused when the class is created."""
    with pytest.raises(orm.ModelDefinitionError) as info:

        class Ambiguous(orm.Measurement, extra_tags={declared: "x"}):
            ts: datetime = orm.time()
            usage: float = orm.field(name="usage_percent")

    assert message in str(info.value).replace(
        f"{test_extra_tag_named_like_a_column_is_refused.__name__}.<locals>.", ""
    )
