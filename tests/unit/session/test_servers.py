"""The server profiles table and the decisions made from it, without a server."""

from __future__ import annotations

import pytest

import influxorm as orm
from influxorm.exceptions import QueryError
from influxorm.session import AsyncSession
from influxorm.session.options import options_from_env, parse_url
from influxorm.session.servers import (
    PROFILES,
    ServerState,
    profile_from_ping,
    statement_feature,
)


def test_every_profile_is_declared_and_frozen() -> None:
    assert set(PROFILES) == {"influxdb1", "enterprise", "influxdb2", "influxdb3"}
    v3 = PROFILES["influxdb3"]
    assert [v3.bound_parameters, v3.msgpack, v3.admin_statements, v3.select_into] == [False] * 4
    assert set(v3.write_precisions) == {"n", "ms", "s"}
    with pytest.raises(AttributeError):
        v3.msgpack = True  # type: ignore[misc]


@pytest.mark.parametrize(
    ("status", "headers", "body", "expected"),
    [
        (204, {"X-Influxdb-Version": "1.6.7", "X-Influxdb-Build": "OSS"}, b"", "influxdb1"),
        (204, {"X-Influxdb-Version": "1.6.2-c1.6.2", "X-Influxdb-Build": "ENT"}, b"", "enterprise"),
        (204, {"X-Influxdb-Version": "v2.2.0", "X-Influxdb-Build": "OSS"}, b"", "influxdb2"),
        (200, {"x-influxdb-version": "3.1.0", "x-influxdb-build": "Enterprise"}, b"", "influxdb3"),
        (200, {}, b'{"version":"3.0.1","revision":"x"}', "influxdb3"),
        (401, {}, b"", "influxdb3"),
        (204, {}, b"", "influxdb1"),
        (204, {"X-Influxdb-Version": "9.0"}, b"", "influxdb1"),
    ],
)
def test_profile_from_ping(
    status: int, headers: dict[str, str], body: bytes, expected: str
) -> None:
    assert profile_from_ping(status, headers, body).name == expected


@pytest.mark.parametrize(
    ("statement", "feature"),
    [
        ("SELECT * FROM m", None),
        ("SHOW DATABASES", None),
        ("  create database x", "admin"),
        ("DROP DATABASE x", "admin"),
        ("DROP MEASUREMENT m", "delete"),
        ("DROP SERIES FROM m", "delete"),
        ("DELETE FROM m WHERE time < 0", "delete"),
        ('CREATE CONTINUOUS QUERY "c" ON "d" BEGIN SELECT 1 END', "select_into"),
        ("GRANT ALL TO bob", "admin"),
    ],
)
def test_statement_feature(statement: str, feature: str | None) -> None:
    assert statement_feature(statement) == feature


def test_an_auto_state_decides_nothing_until_known() -> None:
    state = ServerState()
    assert not state.known
    state.check_statement("DROP DATABASE x")  # the server answers for itself
    assert state.wants_msgpack()
    assert state.wire_precision("u") == "u"
    state.found(PROFILES["influxdb3"])
    with pytest.raises(orm.UnsupportedByServerError):
        state.check_statement("DROP DATABASE x")
    assert state.wire_precision("n") == "ns"


def test_only_a_mime_refusal_turns_msgpack_off() -> None:
    state = ServerState("influxdb1")
    parse_error = QueryError("x", status=400, server_message="error parsing query: found FROM")
    assert not state.refuses_msgpack(parse_error)
    assert state.wants_msgpack()
    refused = QueryError(
        "x", status=500, server_message="invalid mime type (application/x-msgpack)"
    )
    assert state.refuses_msgpack(refused)
    assert not state.wants_msgpack()


def test_server_and_consistency_options_are_checked() -> None:
    with pytest.raises(orm.ValidationError, match="unknown server"):
        AsyncSession(server="influxdb4")  # type: ignore[arg-type]
    with pytest.raises(orm.ValidationError, match="unknown consistency"):
        AsyncSession(consistency="most")  # type: ignore[arg-type]


def test_url_and_environment_name_the_server() -> None:
    options = parse_url("https://gw.example/influx/market?server=influxdb3&consistency=quorum")
    assert options["url"] == "https://gw.example/influx"
    assert options["database"] == "market"
    assert options["server"] == "influxdb3"
    assert options["consistency"] == "quorum"
    found = options_from_env({"INFLUXDB_URL": "http://h:8086/db", "INFLUXDB_SERVER": "influxdb2"})
    assert found["server"] == "influxdb2"
    with pytest.raises(orm.ValidationError, match="unknown server"):
        parse_url("http://h:8086/db?server=influx")


def test_an_influxdb3_session_writes_inline_statements() -> None:
    assert AsyncSession(server="influxdb3").inline_statements
    assert not AsyncSession(server="influxdb2").inline_statements
    assert not AsyncSession().inline_statements


def test_raw_lines_are_scaled_to_ns_for_influxdb3_only() -> None:
    v3 = ServerState("influxdb3")
    assert v3.scaled(("m v=1 2", b"m v=1 3"), "u") == (["m v=1 2000", b"m v=1 3000"], "n")
    assert v3.scaled("m v=1 2", "ms") == ("m v=1 2", "ms")
    v1 = ServerState("influxdb1")
    assert v1.scaled("m v=1 2", "u") == ("m v=1 2", "u")
