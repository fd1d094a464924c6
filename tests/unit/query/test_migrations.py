"""Planning migrations without a server: Go durations, influxd's CQ rewriting read back,
and the plan for each difference (tables of server state -> exact statements)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import influxorm as orm
from influxorm.query.canonical import cq_tokens, go_duration_ns
from influxorm.query.migrations import cq_statement, default_shard_ns, plan_migration
from influxorm.session.downsampling import migrate_refusal, slices
from influxorm.session.servers import PROFILES

H = 3600 * 10**9


class Tick(orm.Measurement, name="ticks", retention_policy="raw"):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    price: float = orm.field()


class Bar(orm.Measurement, name="bars", retention_policy="year"):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    high: float = orm.field()


CQ = orm.ContinuousQuery(
    "bars",
    Tick.objects.where(instrument__ne="x'y", price__gt=1.5)
    .aggregate(high=orm.Max("price"))
    .group_by("instrument", orm.every("90m"), fill=0)
    .into(Bar),
    resample_every="2m",
)
# What influxd 1.6.7 printed in SHOW CONTINUOUS QUERIES for CQ's statement.
SHOWN = (
    "CREATE CONTINUOUS QUERY bars ON d RESAMPLE EVERY 2m BEGIN SELECT max(price) AS high "
    "INTO d.year.bars FROM d.raw.ticks WHERE instrument != 'x\\'y' AND price > 1.500 "
    "GROUP BY instrument, time(90m) fill(0) END"
)


@pytest.mark.parametrize(
    ("text", "ns"),
    [("0s", 0), ("168h0m0s", 168 * H), ("1h30m0s", 90 * 60 * 10**9), ("1.5s", 1_500_000_000)],
)
def test_go_durations(text: str, ns: int) -> None:
    assert go_duration_ns(text) == ns


def test_a_go_duration_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError, match="not a Go duration"):
        go_duration_ns("1d")


def test_the_server_rewriting_reads_as_the_statement_sent() -> None:
    sent = cq_statement(CQ, "d")
    assert cq_tokens(SHOWN, "d", "autogen") == cq_tokens(sent, "d", "autogen")
    assert cq_tokens(SHOWN.replace("90m", "1h"), "d", "autogen") != cq_tokens(sent, "d", "autogen")
    assert cq_tokens(SHOWN.replace("x\\'y", "x"), "d", "autogen") != cq_tokens(sent, "d", "autogen")


def test_quoting_keywords_and_case_as_influxd_prints_them() -> None:
    ours = 'SELECT mean("p") AS "v" INTO "from" FROM "t" GROUP BY time(1h) tz(\'UTC\')'
    theirs = (
        "SELECT mean(p) AS v INTO d.autogen.\"from\" FROM d.autogen.t GROUP BY time(1h) TZ('UTC')"
    )
    assert cq_tokens(ours, "d", "autogen") == cq_tokens(theirs, "d", "autogen")
    assert cq_tokens(ours, "d", "other") != cq_tokens(theirs, "d", "autogen")


@given(st.text(min_size=1, max_size=10).filter(lambda s: "\x00" not in s and "\r" not in s))
def test_any_quoted_name_reads_back(name: str) -> None:
    quoted = orm.query.statements.drop_continuous_query(name, "d")
    assert cq_tokens(quoted, "d", None)[3] == ("ident", name)


def rp_row(name: str, duration: str, shard: str, n: int = 1, default: bool = False) -> Any:
    return {
        "name": name,
        "duration": duration,
        "shardGroupDuration": shard,
        "replicaN": n,
        "default": default,
    }


AUTOGEN = rp_row("autogen", "0s", "168h0m0s", default=True)
RAW = orm.RetentionPolicy("raw", "7d", default=True)
YEAR = orm.RetentionPolicy("year", "52w", shard_duration="7d")


def plan(**kwargs: Any) -> list[tuple[str, str]]:
    return [(c.action, c.statement) for c in plan_migration(database="d", **kwargs)]


def test_an_empty_database_gets_everything_in_order() -> None:
    assert plan(
        retention_policies=[RAW, YEAR], continuous_queries=[CQ], server_policies=[AUTOGEN]
    ) == [
        ("create", 'CREATE RETENTION POLICY "raw" ON "d" DURATION 1w REPLICATION 1 DEFAULT'),
        (
            "create",
            'CREATE RETENTION POLICY "year" ON "d" DURATION 52w REPLICATION 1 SHARD DURATION 1w',
        ),
        ("create", cq_statement(CQ, "d")),
    ]


def test_what_the_server_has_already_plans_nothing() -> None:
    server = [
        AUTOGEN | {"default": False},
        rp_row("raw", "168h0m0s", "24h0m0s", default=True),
        rp_row("year", "8736h0m0s", "168h0m0s"),
    ]
    assert (
        plan(
            retention_policies=[RAW, YEAR],
            continuous_queries=[CQ],
            server_policies=server,
            server_queries={"bars": SHOWN},
        )
        == []
    )


@pytest.mark.parametrize(
    ("row", "statement"),
    [
        (rp_row("raw", "72h0m0s", "24h0m0s", default=True), "DURATION 1w"),
        (rp_row("raw", "168h0m0s", "24h0m0s", n=3, default=True), "REPLICATION 1"),
        (rp_row("raw", "168h0m0s", "24h0m0s"), "DEFAULT"),
        (rp_row("raw", "0s", "168h0m0s", default=True), "DURATION 1w SHARD DURATION 1d"),
    ],
)
def test_a_changed_policy_is_one_alter(row: Any, statement: str) -> None:
    assert plan(retention_policies=[RAW], server_policies=[row]) == [
        ("alter", f'ALTER RETENTION POLICY "raw" ON "d" {statement}')
    ]


def test_a_changed_query_is_dropped_and_created() -> None:
    old = SHOWN.replace("max(price)", "min(price)")
    assert plan(
        continuous_queries=[CQ], server_policies=[AUTOGEN], server_queries={"bars": old}
    ) == [
        ("drop", 'DROP CONTINUOUS QUERY "bars" ON "d"'),
        ("create", cq_statement(CQ, "d")),
    ]


def test_prune_drops_only_the_undeclared_and_keeps_the_default() -> None:
    server = [AUTOGEN, rp_row("raw", "168h0m0s", "24h0m0s"), rp_row("old", "1h0m0s", "1h0m0s")]
    kept = {"bars": SHOWN, "other": "CREATE CONTINUOUS QUERY other ON d BEGIN x END"}
    assert plan(retention_policies=[RAW], server_policies=server, server_queries=kept) == [
        ("alter", 'ALTER RETENTION POLICY "raw" ON "d" DEFAULT')
    ]
    assert plan(
        retention_policies=[RAW], server_policies=server, server_queries=kept, prune=True
    ) == [
        ("alter", 'ALTER RETENTION POLICY "raw" ON "d" DEFAULT'),
        ("drop", 'DROP CONTINUOUS QUERY "bars" ON "d"'),
        ("drop", 'DROP CONTINUOUS QUERY "other" ON "d"'),
        ("drop", 'DROP RETENTION POLICY "autogen" ON "d"'),
        ("drop", 'DROP RETENTION POLICY "old" ON "d"'),
    ]
    with pytest.raises(orm.ValidationError, match="'autogen', the default retention policy"):
        plan(server_policies=server, prune=True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"retention_policies": [RAW, RAW]}, "'raw' is declared twice"),
        ({"continuous_queries": [CQ, CQ]}, "'bars' is declared twice"),
        (
            {"retention_policies": [RAW, orm.RetentionPolicy("x", "1d", default=True)]},
            "only one RetentionPolicy can be the default",
        ),
        ({"retention_policies": ["raw"]}, "takes RetentionPolicy"),
    ],
)
def test_bad_declarations_are_refused(kwargs: Any, message: str) -> None:
    with pytest.raises(orm.ValidationError, match=message):
        plan_migration(database="d", **kwargs)


def test_a_query_writing_into_what_it_reads_through_the_default_policy() -> None:
    into_default = orm.ContinuousQuery(
        "c", Tick.objects.aggregate(v=orm.Max("price")).group_by(orm.every("1m")).into("ticks")
    )
    with pytest.raises(orm.ValidationError, match="same series"):
        plan_migration(
            database="d",
            continuous_queries=[into_default],
            server_policies=[rp_row("raw", "0s", "168h0m0s", default=True)],
        )


def test_default_shard_durations_follow_influxd() -> None:
    day = 24 * H
    assert [default_shard_ns(d) for d in (0, H, 2 * day, 180 * day)] == [7 * day, H, day, 7 * day]


def test_backfill_slices_are_whole_buckets() -> None:
    m = 60 * 10**9
    assert slices(17 * 10**9, 10 * m + 17 * 10**9, m, 0, 3 * m) == [
        (0, 3 * m),
        (3 * m, 6 * m),
        (6 * m, 9 * m),
        (9 * m, 11 * m),
    ]
    assert slices(0, m, m, 15 * 10**9, m) == [(-45 * 10**9, 15 * 10**9), (15 * 10**9, 75 * 10**9)]


@pytest.mark.parametrize(
    ("server", "instead"),
    [("influxdb2", "use a task"), ("influxdb3", "retention period set at creation")],
)
def test_2x_and_3x_are_named_with_what_they_offer(server: str, instead: str) -> None:
    error = migrate_refusal(PROFILES[server], "migrate")
    assert error is not None
    assert error.server == server
    assert error.feature == "migrate"
    assert instead in error.instead
    assert error.instead in str(error)


@pytest.mark.parametrize("server", ["influxdb1", "enterprise"])
def test_1x_is_supported(server: str) -> None:
    assert migrate_refusal(PROFILES[server], "migrate") is None
