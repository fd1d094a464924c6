"""Credentials and schemes of session URLs (issue 12 item 4, issue 13 item 2)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from influxorm.exceptions import ValidationError
from influxorm.session import AsyncSession, Session
from influxorm.session.options import parse_url
from influxorm.session.urls import check_http_url, redact_url, split_userinfo


@pytest.mark.parametrize(
    ("url", "clean", "user", "password"),
    [
        ("http://h:8086", "http://h:8086", None, None),
        ("http://u:p@h:8086/db", "http://h:8086/db", "u", "p"),
        ("http://u:pa#ss@h:8086/db", "http://h:8086/db", "u", "pa#ss"),
        ("http://u:pa/ss@h:8086/db?timeout=5", "http://h:8086/db?timeout=5", "u", "pa/ss"),
        ("http://u:pa?ss@h", "http://h", "u", "pa?ss"),
        ("http://u:p@ss@h", "http://h", "u", "p@ss"),
        ("http://u:p:w@h", "http://h", "u", "p:w"),
        ("http://u:#/?@h/d?x=1#f", "http://h/d?x=1#f", "u", "#/?"),
        ("http://u:/p@h", "http://h", "u", "/p"),
        ("http://:p/x@h", "http://h", "", "p/x"),
        ("http://u@h", "http://h", "u", None),
        ("https://u%40x:p%3Aw%2F@db.example/i/m", "https://db.example/i/m", "u@x", "p:w/"),
        ("http://u:p@[::1]:8086/x", "http://[::1]:8086/x", "u", "p"),
        ("http://h/my@db", "http://h/my@db", None, None),
        ("http://influx_db/my@db", "http://influx_db/my@db", None, None),
        ("http://[fe80::1%25eth0]/my@db", "http://[fe80::1%25eth0]/my@db", None, None),
        ("http+unix://%2Ftmp%2Fs.sock/d", "http+unix://%2Ftmp%2Fs.sock/d", None, None),
        ("localhost:8086", "localhost:8086", None, None),
    ],
)
def test_userinfo_is_everything_before_the_last_at(
    url: str, clean: str, user: str | None, password: str | None
) -> None:
    assert split_userinfo(url) == (clean, user, password)


@pytest.mark.parametrize(
    "url",
    [
        "http://u:123/secret@h",  # also host u, port 123, path /secret@h
        "http://u:p@h/secret@h2",  # also host h, path /secret@h2
        "http://u/x:secret@h",  # also host u, path /x:secret@h
        "http://h:8086/db?ssl_ca=/home/me@corp/ca.pem",  # no credentials: write %40
    ],
)
def test_a_url_that_reads_two_ways_is_refused_without_quoting_it(url: str) -> None:
    with pytest.raises(ValidationError, match="reads two ways") as caught:
        split_userinfo(url)
    assert "secret" not in str(caught.value)
    assert "%40" in str(caught.value)


passwords = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="%"), min_size=1
)


@settings(max_examples=500)
@given(password=passwords, host=st.sampled_from(["h", "db.example", "127.0.0.1", "[::1]"]))
def test_an_unencoded_password_is_read_exactly_or_refused_unseen(password: str, host: str) -> None:
    tail = f"{host}:8086/db?timeout=5"
    url = f"http://alice:{password}@{tail}"
    try:
        clean, user, got = split_userinfo(url)
    except ValidationError as error:
        refusal = str(error)
    else:
        refusal = None
    if refusal is not None:
        assert refusal == _REFUSAL  # the same words for every URL: nothing quoted
        return
    assert (clean, user, got) == (f"http://{tail}", "alice", password)
    assert redact_url(url) == f"http://alice:***@{tail}"


def _refusal() -> str:
    with pytest.raises(ValidationError) as caught:
        split_userinfo("http://u:1/x@h")
    return str(caught.value)


_REFUSAL = _refusal()


@settings(max_examples=300)
@given(user=st.text(min_size=1), password=st.text())
def test_percent_encoded_credentials_are_always_read_exactly(user: str, password: str) -> None:
    url = f"https://{quote(user, safe='')}:{quote(password, safe='')}@h:8086/influx/db"
    assert split_userinfo(url) == ("https://h:8086/influx/db", user, password)
    options = parse_url(url)
    assert (options["username"], options["password"]) == (user, password)
    assert (options["url"], options["database"]) == ("https://h:8086/influx", "db")


def test_parse_url_reads_options_after_an_unencoded_password() -> None:
    options = parse_url("http://u:p?a=b#c/d@h:8086/market?timeout=5")
    assert options == {
        "timeout": 5.0,
        "database": "market",
        "username": "u",
        "password": "p?a=b#c/d",
        "url": "http://h:8086",
    }


def test_a_session_from_a_url_with_an_unencoded_password_never_shows_it() -> None:
    session = AsyncSession("http://alice:pa#ss/w?rd@127.0.0.1:1/db")
    assert session.url == "http://127.0.0.1:1/db"
    assert "pa#ss" not in repr(session)
    assert "alice" in repr(session)


@pytest.mark.parametrize(
    ("url", "fix"),
    [
        ("localhost:8086", "'http://localhost:8086'"),
        ("127.0.0.1:8086/db", "'http://127.0.0.1:8086/db'"),
        ("//db.example:8086", "'http://db.example:8086'"),
        ("alice:s3cret@localhost:8086", "'http://alice:***@localhost:8086'"),
    ],
)
def test_a_url_without_a_scheme_is_refused_with_the_fix(url: str, fix: str) -> None:
    for make in (AsyncSession, Session):
        with pytest.raises(ValidationError, match="has no scheme") as caught:
            make(url)
        assert fix in str(caught.value)
        assert "s3cret" not in str(caught.value)
    with pytest.raises(ValidationError, match="has no scheme"):
        AsyncSession.from_url(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://h", "unsupported URL scheme 'ftp'"),
        ("http://", "has no host"),
        ("http://u:s3cret@", "has no host"),
        ("http+unix://%2Ftmp%2Fs.sock", "unix_socket="),
        ("http://h:8086/?token=s3cret", "Session.from_url(url)"),
        ("http://h:8086#s3cret", "takes no '?options'"),
    ],
)
def test_other_unusable_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_http_url(url)
    assert message in str(caught.value)
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize("url", ["http://h", "HTTPS://h:1/p", "http://[::1]:8086"])
def test_http_urls_are_accepted(url: str) -> None:
    check_http_url(url)


def test_redact_url_keeps_everything_but_the_password() -> None:
    assert redact_url("http://u:p#w@h:1/d?x=1") == "http://u:***@h:1/d?x=1"
    assert redact_url("http://h:1/d") == "http://h:1/d"
    assert redact_url("http://u:123/p@h") == "http://***@..."
