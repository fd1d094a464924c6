"""Admin helpers against a real influxd, with names that would break unquoted InfluxQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from influxorm.exceptions import QueryError, ValidationError
from influxorm.influxql import quote_ident
from influxorm.session import Session, register_pattern

NASTY = [
    'x"; DROP DATABASE "y',
    "with space",
    "back\\slash",
    "SELECT",
    "quote'single",
]


@pytest.fixture
def bystander(influxdb_session: Session) -> Iterator[str]:
    influxdb_session.create_database("y")
    yield "y"
    influxdb_session.drop_database("y")


def test_the_server_refuses_a_database_name_with_a_backslash(influxdb_session: Session) -> None:
    with pytest.raises(QueryError, match="invalid name"):
        influxdb_session.create_database("back\\slash")


@pytest.mark.parametrize("name", [n for n in NASTY if "\\" not in n])
def test_databases_with_hostile_names(influxdb_session: Session, bystander: str, name: str) -> None:
    influxdb_session.create_database(name)
    try:
        assert name in influxdb_session.show_databases()
        assert bystander in influxdb_session.show_databases()
        influxdb_session.write("m v=1 1", db=name)
        assert influxdb_session.show_measurements(database=name) == ["m"]
    finally:
        influxdb_session.drop_database(name)
    assert name not in influxdb_session.show_databases()
    assert bystander in influxdb_session.show_databases()


@pytest.mark.parametrize("name", [n for n in NASTY if "\\" not in n])
def test_retention_policies(influxdb_session: Session, name: str) -> None:
    influxdb_session.create_retention_policy(name, duration="2h", shard_duration="1h")
    policies = {p["name"]: p for p in influxdb_session.show_retention_policies()}
    assert policies[name]["duration"] == "2h0m0s"
    influxdb_session.alter_retention_policy(name, duration="3h", default=True)
    policies = {p["name"]: p for p in influxdb_session.show_retention_policies()}
    assert policies[name]["duration"] == "3h0m0s"
    assert policies[name]["default"] is True
    influxdb_session.drop_retention_policy(name)
    assert name not in {p["name"] for p in influxdb_session.show_retention_policies()}
    assert "autogen" in {p["name"] for p in influxdb_session.show_retention_policies()}


def test_show_helpers_and_drops(influxdb_session: Session) -> None:
    m = 'me"as; DROP'
    influxdb_session.write(
        [
            {"measurement": m, "tags": {"k'": "a b", "z": "1"}, "fields": {"f": 1.0}, "time": 1},
            {"measurement": m, "tags": {"k'": "c\\d", "z": "2"}, "fields": {"g": 1}, "time": 2},
            {"measurement": "other", "tags": {"z": "3"}, "fields": {"f": 1.0}, "time": 3},
        ]
    )
    assert sorted(influxdb_session.show_measurements()) == [m, "other"]
    assert influxdb_session.show_tag_keys(m) == {m: ["k'", "z"]}
    assert influxdb_session.show_tag_values("k'", m) == {m: ["a b", "c\\d"]}
    assert influxdb_session.show_field_keys(m) == {m: {"f": "float", "g": "integer"}}
    assert len(influxdb_session.show_series(m)) == 2
    assert influxdb_session.show_series(m, tags={"k'": "a b"}) == [f"{_escaped(m)},k'=a\\ b,z=1"]
    influxdb_session.drop_series(m, tags={"k'": "a b"})
    assert len(influxdb_session.show_series(m)) == 1
    influxdb_session.drop_measurement(m)
    assert influxdb_session.show_measurements() == ["other"]
    with pytest.raises(ValidationError):
        influxdb_session.drop_series()


def _escaped(measurement: str) -> str:
    return measurement.replace(",", "\\,").replace(" ", "\\ ")


def test_users_and_grants(influxdb_session: Session) -> None:
    user = 'u"ser; x'
    influxdb_session.create_user(user, "p'w\\")
    try:
        influxdb_session.grant("READ", user, database=influxdb_session.database)
        result = influxdb_session.execute("SHOW GRANTS FOR " + quote_ident(user))
        assert result["results"][0]["series"][0]["values"] == [[influxdb_session.database, "READ"]]
        influxdb_session.revoke("READ", user, database=influxdb_session.database)
        influxdb_session.grant_admin(user)
        assert {"user": user, "admin": True} in influxdb_session.show_users()
        influxdb_session.revoke_admin(user)
    finally:
        influxdb_session.drop_user(user)
    assert user not in {u["user"] for u in influxdb_session.show_users()}


def test_query_patterns_quote_their_arguments(influxdb_session: Session) -> None:
    influxdb_session.write("cpu,host=a v=1 1\ncpu,host=b v=2 2")
    influxdb_session.set_query_pattern(
        "by_host", "SELECT v FROM {measurement:ident} WHERE host = {host}"
    )
    hostile = "a' OR host =~ /.*/ --"
    assert (
        "series"
        not in influxdb_session.query_pattern("by_host", measurement="cpu", host=hostile)[
            "results"
        ][0]
    )
    result = influxdb_session.query_pattern("by_host", measurement="cpu", host="b")
    assert result["results"][0]["series"][0]["values"] == [[2, 2]]
    register_pattern("limit_n", "SELECT v FROM {m:ident} LIMIT {n:int}")
    assert influxdb_session.format_query("limit_n", m='a"b', n=3) == 'SELECT v FROM "a\\"b" LIMIT 3'
    with pytest.raises(ValidationError):
        influxdb_session.format_query("limit_n", m="cpu", n="3; DROP DATABASE x")
