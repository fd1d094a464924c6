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
def bystander(session: Session) -> Iterator[str]:
    session.create_database("y")
    yield "y"
    session.drop_database("y")


def test_the_server_refuses_a_database_name_with_a_backslash(session: Session) -> None:
    with pytest.raises(QueryError, match="invalid name"):
        session.create_database("back\\slash")


@pytest.mark.parametrize("name", [n for n in NASTY if "\\" not in n])
def test_databases_with_hostile_names(session: Session, bystander: str, name: str) -> None:
    session.create_database(name)
    try:
        assert name in session.show_databases()
        assert bystander in session.show_databases()
        session.write("m v=1 1", db=name)
        assert session.show_measurements(database=name) == ["m"]
    finally:
        session.drop_database(name)
    assert name not in session.show_databases()
    assert bystander in session.show_databases()


@pytest.mark.parametrize("name", [n for n in NASTY if "\\" not in n])
def test_retention_policies(session: Session, name: str) -> None:
    session.create_retention_policy(name, duration="2h", shard_duration="1h")
    policies = {p["name"]: p for p in session.show_retention_policies()}
    assert policies[name]["duration"] == "2h0m0s"
    session.alter_retention_policy(name, duration="3h", default=True)
    policies = {p["name"]: p for p in session.show_retention_policies()}
    assert policies[name]["duration"] == "3h0m0s"
    assert policies[name]["default"] is True
    session.drop_retention_policy(name)
    assert name not in {p["name"] for p in session.show_retention_policies()}
    assert "autogen" in {p["name"] for p in session.show_retention_policies()}


def test_show_helpers_and_drops(session: Session) -> None:
    m = 'me"as; DROP'
    session.write(
        [
            {"measurement": m, "tags": {"k'": "a b", "z": "1"}, "fields": {"f": 1.0}, "time": 1},
            {"measurement": m, "tags": {"k'": "c\\d", "z": "2"}, "fields": {"g": 1}, "time": 2},
            {"measurement": "other", "tags": {"z": "3"}, "fields": {"f": 1.0}, "time": 3},
        ]
    )
    assert sorted(session.show_measurements()) == [m, "other"]
    assert session.show_tag_keys(m) == {m: ["k'", "z"]}
    assert session.show_tag_values("k'", m) == {m: ["a b", "c\\d"]}
    assert session.show_field_keys(m) == {m: {"f": "float", "g": "integer"}}
    assert len(session.show_series(m)) == 2
    assert session.show_series(m, tags={"k'": "a b"}) == [f"{_escaped(m)},k'=a\\ b,z=1"]
    session.drop_series(m, tags={"k'": "a b"})
    assert len(session.show_series(m)) == 1
    session.drop_measurement(m)
    assert session.show_measurements() == ["other"]
    with pytest.raises(ValidationError):
        session.drop_series()


def _escaped(measurement: str) -> str:
    return measurement.replace(",", "\\,").replace(" ", "\\ ")


def test_users_and_grants(session: Session) -> None:
    user = 'u"ser; x'
    session.create_user(user, "p'w\\")
    try:
        session.grant("READ", user, database=session.database)
        result = session.execute("SHOW GRANTS FOR " + quote_ident(user))
        assert result["results"][0]["series"][0]["values"] == [[session.database, "READ"]]
        session.revoke("READ", user, database=session.database)
        session.grant_admin(user)
        assert {"user": user, "admin": True} in session.show_users()
        session.revoke_admin(user)
    finally:
        session.drop_user(user)
    assert user not in {u["user"] for u in session.show_users()}


def test_query_patterns_quote_their_arguments(session: Session) -> None:
    session.write("cpu,host=a v=1 1\ncpu,host=b v=2 2")
    session.set_query_pattern("by_host", "SELECT v FROM {measurement:ident} WHERE host = {host}")
    hostile = "a' OR host =~ /.*/ --"
    assert (
        "series"
        not in session.query_pattern("by_host", measurement="cpu", host=hostile)["results"][0]
    )
    result = session.query_pattern("by_host", measurement="cpu", host="b")
    assert result["results"][0]["series"][0]["values"] == [[2, 2]]
    register_pattern("limit_n", "SELECT v FROM {m:ident} LIMIT {n:int}")
    assert session.format_query("limit_n", m='a"b', n=3) == 'SELECT v FROM "a\\"b" LIMIT 3'
    with pytest.raises(ValidationError):
        session.format_query("limit_n", m="cpu", n="3; DROP DATABASE x")
