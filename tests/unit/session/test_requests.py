"""Request building, validation and point counting: the sessions' pure parts."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qsl

import pytest

from influxorm.exceptions import ValidationError
from influxorm.influxql import quote_ident
from influxorm.linescan import chunk_points
from influxorm.session import AsyncSession, Session
from influxorm.session.config import (
    SessionConfig,
    require_raw_for_precision,
)
from influxorm.session.messages import Endpoint


def _query(config: SessionConfig, q: str, **kwargs: object) -> object:
    options: dict[str, object] = {
        "db": None,
        "rp": None,
        "epoch": "ns",
        "params": None,
        "chunked": False,
        "chunk_size": None,
    }
    options.update(kwargs)
    return config.query_request(q, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("q", "method"),
    [
        ("SELECT * FROM m", "GET"),
        ("  show databases", "GET"),
        ("SELECT * INTO other FROM m", "POST"),
        ("SELECT 1; DROP DATABASE x", "POST"),
        ("CREATE DATABASE x", "POST"),
        ("DELETE FROM m", "POST"),
        ("SELECT * FROM m WHERE x = '" + "a" * 5000 + "'", "POST"),
    ],
)
def test_query_method(q: str, method: str) -> None:
    request = _query(SessionConfig(), q)
    assert request.method == method  # type: ignore[attr-defined]


def test_get_query_carries_everything_in_the_url() -> None:
    config = SessionConfig(database="d")
    request = config.query_request(
        "SELECT * FROM m WHERE k = $k",
        db=None,
        rp="rp1",
        epoch="ms",
        params={"k": "v"},
        chunked=True,
        chunk_size=10,
    )
    assert request.endpoint is Endpoint.QUERY
    assert dict(request.params) == {
        "db": "d",
        "rp": "rp1",
        "epoch": "ms",
        "chunked": "true",
        "chunk_size": "10",
        "q": "SELECT * FROM m WHERE k = $k",
        "params": '{"k": "v"}',
    }
    assert request.body == b""
    assert request.statement == "SELECT * FROM m WHERE k = $k"


def test_post_query_carries_the_statement_in_a_form_body() -> None:
    request = SessionConfig().query_request(
        "DROP DATABASE x",
        db="d",
        rp=None,
        epoch=None,
        params={"a": 1},
        chunked=False,
        chunk_size=None,
    )
    assert request.method == "POST"
    assert dict(request.params) == {"db": "d"}
    form = dict(parse_qsl(request.body.decode()))
    assert form["q"] == "DROP DATABASE x"
    assert json.loads(form["params"]) == {"a": 1}
    assert ("Content-Type", "application/x-www-form-urlencoded") in request.headers


def test_write_request() -> None:
    request = SessionConfig(database="d").write_request(
        b"m v=1", points=1, db=None, rp="r", precision="s"
    )
    assert (request.method, request.path) == ("POST", "/write")
    assert dict(request.params) == {"db": "d", "rp": "r", "precision": "s"}
    assert request.points == 1


def test_write_needs_a_database() -> None:
    with pytest.raises(ValidationError, match="no database"):
        SessionConfig().write_request(b"m v=1", points=1, db=None, rp=None, precision=None)


@pytest.mark.parametrize("bad", ["ns", "us", "x", ""])
def test_unknown_precision_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match="precision"):
        SessionConfig(database="d").write_request(
            b"m v=1",
            points=1,
            db=None,
            rp=None,
            precision=bad,  # type: ignore[arg-type]
        )


def test_unknown_epoch_is_refused() -> None:
    with pytest.raises(ValidationError, match="epoch"):
        _query(SessionConfig(), "SELECT 1", epoch="n")


def test_basic_auth_header_and_no_credentials_in_reprs() -> None:
    config = SessionConfig(username="me", password="s3cret")
    request = config.ping_request()
    expected = "Basic " + base64.b64encode(b"me:s3cret").decode()
    assert ("Authorization", expected) in request.headers
    assert "s3cret" not in repr(request)
    assert expected not in repr(request)
    assert "s3cret" not in repr(AsyncSession(username="me", password="s3cret"))
    assert "s3cret" not in repr(Session(username="me", password="s3cret"))


def test_token_auth_header() -> None:
    request = SessionConfig(token="tok").ping_request()
    assert ("Authorization", "Token tok") in request.headers
    assert "tok" not in repr(AsyncSession(token="tok"))


def test_conflicting_credentials_are_refused() -> None:
    with pytest.raises(ValidationError):
        SessionConfig(token="t", username="u")
    with pytest.raises(ValidationError):
        SessionConfig(password="p")


def test_chunk_points_skips_blank_and_comment_lines() -> None:
    chunks = ["m v=1", "a v=1\n\n# comment\nb v=2\n", "  ", 'c s="x\ny" 1']
    assert sum(map(chunk_points, chunks)) == 4


def test_coarse_precision_accepts_raw_line_protocol_only() -> None:
    assert require_raw_for_precision("m v=1 1", "s") == "m v=1 1"
    assert require_raw_for_precision(iter([b"a v=1 1", "b v=2 2"]), "s") == [
        b"a v=1 1",
        "b v=2 2",
    ]
    point = {"measurement": "m", "fields": {"v": 1}}
    assert require_raw_for_precision(point, None) is point
    assert require_raw_for_precision(point, "n") is point
    with pytest.raises(ValidationError, match="raw line protocol only"):
        require_raw_for_precision(point, "s")
    with pytest.raises(ValidationError, match="dict"):
        require_raw_for_precision(["m v=1 1", point], "ms")


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("plain", '"plain"'),
        ('x"; DROP DATABASE "y', '"x\\"; DROP DATABASE \\"y"'),
        ("back\\slash", '"back\\\\slash"'),
        ("new\nline", '"new\\nline"'),
    ],
)
def test_quote_ident(name: str, quoted: str) -> None:
    assert quote_ident(name) == quoted


def test_tls_files_on_a_plain_url_are_reported(caplog: pytest.LogCaptureFixture) -> None:
    """Not refused (INFLUXDB_SSL_* may be set for every session), but not silent."""
    with caplog.at_level("WARNING", logger="influxorm"):
        config = SessionConfig("http://db.example:8086", ssl_ca="/nowhere/ca.pem")
    assert config.ssl is None
    assert caplog.messages == [
        "ssl_ca ignored: http://db.example:8086 is not an https:// URL, so no TLS is used"
    ]
    caplog.clear()
    with caplog.at_level("WARNING", logger="influxorm"):
        SessionConfig("http://db.example:8086")
    assert caplog.messages == []
