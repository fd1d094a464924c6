"""The statements module: every builder and placeholder kind, input -> exact InfluxQL text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

import influxorm as orm
from influxorm.query import statements as s
from influxorm.query.statements import QueryPattern

STATEMENTS: list[tuple[str, Callable[[], str], str]] = [
    ("create database", lambda: s.create_database("db"), 'CREATE DATABASE "db"'),
    (
        "create database hostile",
        lambda: s.create_database('x"; DROP DATABASE "y'),
        'CREATE DATABASE "x\\"; DROP DATABASE \\"y"',
    ),
    ("drop database", lambda: s.drop_database("a\\"), 'DROP DATABASE "a\\\\"'),
    (
        "create rp",
        lambda: s.create_retention_policy("rp", "db", duration="7d"),
        'CREATE RETENTION POLICY "rp" ON "db" DURATION 1w REPLICATION 1',
    ),
    (
        "create rp full",
        lambda: s.create_retention_policy(
            "r p",
            "d\nb",
            duration=0,
            replication=2,
            shard_duration=timedelta(hours=1),
            default=True,
        ),
        'CREATE RETENTION POLICY "r p" ON "d\\nb" DURATION INF REPLICATION 2 '
        "SHARD DURATION 1h DEFAULT",
    ),
    (
        "alter rp",
        lambda: s.alter_retention_policy("rp", "db", duration="INF", replication=3, default=True),
        'ALTER RETENTION POLICY "rp" ON "db" DURATION INF REPLICATION 3 DEFAULT',
    ),
    (
        "alter rp shard",
        lambda: s.alter_retention_policy("rp", "db", shard_duration=90 * 60 * 10**9),
        'ALTER RETENTION POLICY "rp" ON "db" SHARD DURATION 1h30m',
    ),
    ("drop rp", lambda: s.drop_retention_policy("rp", "db"), 'DROP RETENTION POLICY "rp" ON "db"'),
    (
        "create cq",
        lambda: s.create_continuous_query("c q", 'd"b', "SELECT 1"),
        'CREATE CONTINUOUS QUERY "c q" ON "d\\"b" BEGIN SELECT 1 END',
    ),
    (
        "create cq resample",
        lambda: s.create_continuous_query(
            "cq", "db", "SELECT 1", resample_every="2m", resample_for=3600 * 10**9
        ),
        'CREATE CONTINUOUS QUERY "cq" ON "db" RESAMPLE EVERY 2m FOR 1h BEGIN SELECT 1 END',
    ),
    (
        "create cq resample for",
        lambda: s.create_continuous_query("cq", "db", "SELECT 1", resample_for="90m"),
        'CREATE CONTINUOUS QUERY "cq" ON "db" RESAMPLE FOR 1h30m BEGIN SELECT 1 END',
    ),
    (
        "drop cq",
        lambda: s.drop_continuous_query("c;q", "db"),
        'DROP CONTINUOUS QUERY "c;q" ON "db"',
    ),
    ("show cqs", s.show_continuous_queries, "SHOW CONTINUOUS QUERIES"),
    (
        "create user",
        lambda: s.create_user("u", "p'w\\"),
        "CREATE USER \"u\" WITH PASSWORD 'p\\'w\\\\'",
    ),
    (
        "create admin",
        lambda: s.create_user("u", "pw", admin=True),
        "CREATE USER \"u\" WITH PASSWORD 'pw' WITH ALL PRIVILEGES",
    ),
    ("drop user", lambda: s.drop_user("u"), 'DROP USER "u"'),
    ("set password", lambda: s.set_password("u", "x\ny"), "SET PASSWORD FOR \"u\" = 'x\\ny'"),
    ("grant", lambda: s.grant("read", "u", "db"), 'GRANT READ ON "db" TO "u"'),
    ("grant admin", lambda: s.grant("ALL", "u", None), 'GRANT ALL PRIVILEGES TO "u"'),
    ("revoke", lambda: s.revoke("WRITE", "u", "db"), 'REVOKE WRITE ON "db" FROM "u"'),
    ("revoke admin", lambda: s.revoke("ALL", "u", None), 'REVOKE ALL PRIVILEGES FROM "u"'),
    ("drop measurement", lambda: s.drop_measurement("m"), 'DROP MEASUREMENT "m"'),
    (
        "drop series",
        lambda: s.drop_series("m", {"k": "v'", "j": "w"}),
        'DROP SERIES FROM "m" WHERE "k" = \'v\\\'\' AND "j" = \'w\'',
    ),
    ("drop series tags", lambda: s.drop_series(None, {"k": "v"}), "DROP SERIES WHERE \"k\" = 'v'"),
    ("show databases", s.show_databases, "SHOW DATABASES"),
    ("show users", s.show_users, "SHOW USERS"),
    ("show measurements", s.show_measurements, "SHOW MEASUREMENTS"),
    ("show rps", lambda: s.show_retention_policies("d b"), 'SHOW RETENTION POLICIES ON "d b"'),
    ("show tag keys", lambda: s.show_tag_keys(), "SHOW TAG KEYS"),
    ("show tag keys from", lambda: s.show_tag_keys("m"), 'SHOW TAG KEYS FROM "m"'),
    ("show tag keys rp", lambda: s.show_tag_keys("m", "rp"), 'SHOW TAG KEYS FROM "rp"."m"'),
    ("show field keys", lambda: s.show_field_keys(), "SHOW FIELD KEYS"),
    ("show field keys rp", lambda: s.show_field_keys("m", "r"), 'SHOW FIELD KEYS FROM "r"."m"'),
    ("show tag values", lambda: s.show_tag_values("k"), 'SHOW TAG VALUES WITH KEY = "k"'),
    (
        "show tag values from",
        lambda: s.show_tag_values('k"', "m"),
        'SHOW TAG VALUES FROM "m" WITH KEY = "k\\""',
    ),
    ("show series", lambda: s.show_series(), "SHOW SERIES"),
    (
        "show series where",
        lambda: s.show_series("m", {"h": "a"}),
        'SHOW SERIES FROM "m" WHERE "h" = \'a\'',
    ),
    ("measurement ref", lambda: s.measurement_ref("m", "rp"), '"rp"."m"'),
    (
        "export select",
        lambda: s.select_typed_columns("m", [("t", True), ("f", False)], "rp"),
        'SELECT "t"::tag, "f"::field FROM "rp"."m"',
    ),
]


@pytest.mark.parametrize(("build", "text"), [pytest.param(b, t, id=i) for i, b, t in STATEMENTS])
def test_statement_text(build: Callable[[], str], text: str) -> None:
    assert build() == text


STATEMENT_ERRORS: list[tuple[str, Callable[[], object], str]] = [
    ("empty name", lambda: s.create_database(""), "empty"),
    ("empty retention policy", lambda: s.measurement_ref("m", ""), "empty"),
    ("nul name", lambda: s.drop_database("a\x00"), "NUL"),
    ("cr password", lambda: s.create_user("u", "a\rb"), "carriage return"),
    ("bad privilege", lambda: s.grant("OWN", "u", "db"), "unknown privilege"),
    (
        "replication",
        lambda: s.create_retention_policy("r", "d", duration="1h", replication=0),
        "replication",
    ),
    ("alter nothing", lambda: s.alter_retention_policy("r", "d"), "something to change"),
    ("drop everything", lambda: s.drop_series(None, {}), "drop everything"),
    ("bad duration", lambda: s.create_retention_policy("r", "d", duration="1h; DROP"), "duration"),
    ("nothing to export", lambda: s.select_typed_columns("m", []), "nothing to select"),
]


@pytest.mark.parametrize(
    ("build", "message"), [pytest.param(b, m, id=i) for i, b, m in STATEMENT_ERRORS]
)
def test_statement_refusals(build: Callable[[], object], message: str) -> None:
    with pytest.raises((orm.ValidationError, orm.QueryBuildError), match=message):
        build()


PLACEHOLDERS: list[tuple[str, object, str]] = [
    ("str", "it's", "'it\\'s'"),
    ("str", "a\\", "'a\\\\'"),
    ("str", "x' OR 'a'='a", "'x\\' OR \\'a\\'=\\'a'"),
    ("str", "l1\nl2", "'l1\\nl2'"),
    ("ident", 'we"ird', '"we\\"ird"'),
    ("ident", "secret..passwords", '"secret..passwords"'),
    ("regex", "^a/b$", "/^a\\/b$/"),
    ("regex", "x\\\\", "/x\\\\(?:)/"),
    ("regex", "\n", "/\\n/"),
    ("duration", "90m", "1h30m"),
    ("duration", timedelta(seconds=1), "1s"),
    ("duration", 1500, "1u500ns"),
    ("int", -(2**63), "-9223372036854775808"),
    ("int", 7, "7"),
    ("float", 1e-08, "0.00000001"),
    ("float", 3, "3.0"),
    ("float", -2.5, "-2.5"),
    ("bool", True, "true"),
    ("name", "host", '"host"'),
    ("name", 95, "95"),
    ("value", 5, "5"),
    ("value", 1e-08, "0.00000001"),
    ("value", "1e-08", "0.00000001"),
    ("value", "-42", "-42"),
    ("value", "1h", "1h"),
    ("value", False, "false"),
]


@pytest.mark.parametrize(("kind", "value", "text"), PLACEHOLDERS)
def test_placeholder_kind_text(kind: str, value: object, text: str) -> None:
    assert QueryPattern(f"X {{v:{kind}}}").format({"v": value}) == f"X {text}"


PLACEHOLDER_ERRORS: list[tuple[str, object]] = [
    ("str", 5),
    ("str", "a\x00"),
    ("str", "a\rb"),
    ("ident", ""),
    ("ident", "a\x00b"),
    ("regex", "a\\"),
    ("regex", "x\\\\\\"),
    ("regex", 5),
    ("duration", "1h; DROP DATABASE x"),
    ("duration", True),
    ("duration", -1),
    ("int", 2**63),
    ("int", "5"),
    ("int", True),
    ("float", float("nan")),
    ("float", float("inf")),
    ("float", "1.0"),
    ("float", 2**53 + 1),
    ("float", 10**400),
    ("bool", 1),
    ("name", None),
    ("value", "host"),
    ("value", "inf"),
    ("value", "nan"),
    ("value", "1e999"),
    ("value", "1e-400"),
    ("value", "9" * 5000),
    ("value", 10**400),
    ("value", "5; DROP DATABASE x"),
    ("value", float("-inf")),
    ("value", None),
]


@pytest.mark.parametrize(("kind", "value"), PLACEHOLDER_ERRORS)
def test_placeholder_kind_refusals(kind: str, value: object) -> None:
    with pytest.raises(orm.ValidationError, match="argument 'v'"):
        QueryPattern(f"X {{v:{kind}}}").format({"v": value})


def test_default_kind_is_a_string_literal() -> None:
    assert QueryPattern("WHERE h = {h}").format({"h": "a"}) == "WHERE h = 'a'"


@pytest.mark.parametrize(
    ("pattern", "arguments", "message"),
    [
        ("{x:nope}", {}, "unknown kind"),
        ("{0}", {}, "bad placeholder"),
        ("{x!r}", {}, "bad placeholder"),
        ("{x", {}, "bad query pattern"),
        ("{x:str}", {}, "missing"),
        ("{x:str}", {"x": "a", "y": "b"}, "unexpected"),
    ],
)
def test_bad_patterns(pattern: str, arguments: dict[str, object], message: str) -> None:
    with pytest.raises(orm.ValidationError, match=message):
        QueryPattern(pattern).format(arguments)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("a\rSECRET", "carriage return"),
        ("a\x00SECRET", "NUL"),
        ("a\ud800SECRET", "lone surrogate"),
        ("", "empty"),
    ],
)
def test_a_password_influxql_cannot_carry_is_refused_unseen(password: str, reason: str) -> None:
    for build in (s.create_user, s.set_password):
        with pytest.raises(orm.ValidationError, match=reason) as caught:
            build("someone", password)
        assert "SECRET" not in str(caught.value)
        assert caught.value.value is None


@pytest.mark.parametrize("password", ["a\rSECRET", "a\x00SECRET", "a\ud800SECRET"])
@pytest.mark.parametrize(
    "pattern",
    [
        "SET PASSWORD FOR {u:ident} = {p:str}",
        "CREATE USER {u:ident} WITH password {p}",
    ],
)
def test_a_pattern_argument_in_a_password_statement_is_refused_unseen(
    pattern: str, password: str
) -> None:
    """A pattern that sets a password does not quote a refused argument: it may be the
    password (the message, the error's ``value`` and its cause)."""
    with pytest.raises(orm.ValidationError, match="argument 'p'") as caught:
        QueryPattern(pattern).format({"u": "someone", "p": password})
    assert "SECRET" not in str(caught.value)
    assert caught.value.value is None
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
