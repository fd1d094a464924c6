"""No password ever shows, over every error path we can provoke (issue 12, item 4).

A property test against a real auth-enabled influxd: random passwords full of the
characters that break URL parsing (``#``, ``/``, ``?``, ``@``, ``:``, ``%``), quoting
(``'``, ``"``, ``\\``) and statements (CR, LF, NUL, ``;``) go through a URL or the keyword
arguments to a server that refuses the connection and to one that refuses the
credentials, through ``create_user``/``set_password`` and raw ``CREATE USER`` /
``SET PASSWORD`` statements (good and malformed, as an admin and as a user without the
privilege), and through the ``influxorm`` command. Everything a user could see -- the
exception's message, repr, notes, attributes and chained causes, every log record of the
``influxorm`` logger at DEBUG, the session's repr, the command's stdout and stderr, the
module ``inspect`` generates -- must not contain the password.

Each password holds a marker ("Zq" and 6 letters) between random hostile prefix and suffix, and a
leak is the marker (or the whole password) anywhere in that text: a server quoting the
start of a password, or a URL parser cutting it at a ``#``, shows the marker too.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import string
import traceback
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from influxorm.cli import main
from influxorm.exceptions import AuthenticationError, InfluxORMError, ValidationError
from influxorm.influxql import quote_string
from influxorm.session import Session
from influxorm.session.retry import RetryPolicy
from influxorm.testing import InfluxDBServer, InfluxDBServerError

FAST = RetryPolicy(max_attempts=2, initial_delay=0.001, max_delay=0.002, jitter=False)
HOSTILE = "#/?@:%'\"\\ \t\n\r\x00;=&+$,!*()[]<>|`~é€\u2028"


@pytest.fixture(scope="module")
def server() -> Iterator[InfluxDBServer]:
    with InfluxDBServer(auth_enabled=True) as own:
        own.execute('CREATE DATABASE "d"')
        own.execute("CREATE USER \"carol\" WITH PASSWORD 'carol-pw'")
        own.execute('GRANT ALL ON "d" TO "carol"')
        yield own


@pytest.fixture(scope="module")
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Seen:
    """Everything a user could see while the block runs: log records and what is added."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self._handler = logging.Handler(logging.DEBUG)
        self._handler.emit = self._record  # type: ignore[method-assign]

    def _record(self, record: logging.LogRecord) -> None:
        self.texts.append(record.getMessage())
        if record.exc_info and record.exc_info[1] is not None:
            self.error(record.exc_info[1])

    def __enter__(self) -> Seen:
        logger = logging.getLogger("influxorm")
        logger.addHandler(self._handler)
        self._level = logger.level
        logger.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc: object) -> None:
        logger = logging.getLogger("influxorm")
        logger.removeHandler(self._handler)
        logger.setLevel(self._level)

    def error(self, error: BaseException) -> None:
        self.texts.append("".join(traceback.format_exception(error)))  # causes and notes
        self.texts.append(repr(error))
        self.texts.extend(repr(value) for value in vars(error).values())

    def call(self, action: Callable[[], object]) -> object:
        """Run ``action``; an influxorm error it raises is recorded, not raised."""
        try:
            return action()
        except InfluxORMError as error:
            self.error(error)
            return error

    def cli(self, *argv: str) -> int:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(list(argv))
        self.texts.extend((out.getvalue(), err.getvalue()))
        return status

    def leaks(self, password: str, marker: str) -> list[str]:
        return [text for text in self.texts if marker in text or password in text]


markers = st.text(alphabet=string.ascii_letters, min_size=6, max_size=6).map("Zq".__add__)
ends = st.text(alphabet=HOSTILE, max_size=6)


def _url(password: str, host: str, port: int, user: str = "alice") -> str:
    return f"http://{user}:{password}@{host}:{port}"


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(prefix=ends, marker=markers, suffix=ends)
def test_a_random_password_never_shows(
    server: InfluxDBServer, closed_port: int, prefix: str, marker: str, suffix: str
) -> None:
    password = prefix + marker + suffix
    admin = {"username": server.username, "password": server.password}
    user = f"u_{uuid.uuid4().hex[:8]}"
    with Seen() as seen:
        # The URL, unencoded: refused connection, then refused credentials.
        for host, port in (("127.0.0.1", closed_port), (server.host, server.port)):
            url = _url(password, host, port)
            session = seen.call(lambda url=url: Session(url, database="d", retry=FAST))
            if isinstance(session, Session):
                seen.texts.append(repr(session))
                with session:
                    seen.call(session.ping)
                    seen.call(lambda s=session: s.query("SHOW DATABASES"))
                    seen.call(lambda s=session: s.write("m v=1 1"))
        # Keyword arguments, refused credentials.
        with Session(server.url, database="d", username="alice", password=password) as wrong:
            seen.texts.append(repr(wrong))
            assert isinstance(seen.call(lambda: wrong.query("SHOW DATABASES")), InfluxORMError)
        # The command: a refused password exits 1 (ping checks credentials).
        assert seen.cli("ping", "--url", _url(password, server.host, server.port)) == 1
        assert seen.cli("ping", "--url", server.url, "-u", "alice", "--password", password) == 1
        # Users: create, set, malformed statements, and a user without the privilege.
        with Session(server.url, database="d", **admin) as session:
            created = seen.call(lambda: session.create_user(user, password))
            if created is None:
                with Session(server.url, username=user, password=password) as login:
                    login.query("SHOW DATABASES")  # the password arrived exactly
                encoded = _url(quote(password, safe=""), server.host, server.port, user)
                with Session.from_url(encoded + "/d") as login:
                    login.query("SHOW DATABASES")
            else:
                assert isinstance(created, ValidationError)
            seen.call(lambda: session.set_password(user, password))
            seen.call(lambda: session.set_password("no_such_user", password))
            for statement in (
                f"CREATE USER x WITH PASSWORD {password}",
                f"CREATE USER x WITH PASSWORD'{password}",
                f"SET PASSWORD FOR x = {password} junk",
            ):
                seen.call(lambda q=statement: session.query(q))
            if "\r" not in password and "\x00" not in password:
                literal = quote_string(password)
                for statement in (
                    f"CREATE USER x WITH PASSWORD {literal} junk",
                    f"CREATE USER x WITH PASSWORD{literal}; SHOW NOPE",
                    f"SET PASSWORD FOR no_such_user = {literal}",
                ):
                    seen.call(lambda q=statement: session.query(q))
            session.query(f'DROP USER "{user}"') if created is None else None
        with Session(server.url, username="carol", password="carol-pw") as carol:
            refused = seen.call(lambda: carol.create_user("x", password))
            assert isinstance(refused, AuthenticationError | ValidationError)
    assert seen.leaks(password, marker) == []


@pytest.mark.parametrize(
    "password", ["pa#ss/w?rd@SECRETword", "12/SECRETword", "a'\"\\ SECRETword"]
)
def test_the_command_on_an_unreachable_server_never_shows_the_password(
    closed_port: int, password: str
) -> None:
    with Seen() as seen:
        url = _url(password, "127.0.0.1", closed_port)
        status = seen.cli("ping", "--url", url, "--timeout", "5")
    assert status == 1
    assert seen.leaks(password, "SECRET") == []


def test_inspect_names_the_server_without_credentials(server: InfluxDBServer) -> None:
    password = "x#SECRET/word?"
    with Session(server.url, username=server.username, password=server.password) as admin:
        admin.create_user("root2", password, admin=True)
        admin.write("cpu,host=a load=1 1", db="d")
    try:
        with Seen() as seen:
            url = f"http://root2:{quote(password, safe='')}@{server.host}:{server.port}"
            assert seen.cli("inspect", "--url", url, "-d", "d") == 0
        assert any("class Cpu(orm.Measurement" in text for text in seen.texts)
        assert seen.leaks(password, "SECRET") == []
    finally:
        server.execute('DROP USER "root2"')


@pytest.mark.parametrize(
    "statement",
    [
        'CREATE USER "dave" WITH PASSWORD SECRETpw',  # the parser quotes the token
        'SET PASSWORD FOR "dave" = SECRETpw',
    ],
)
def test_the_test_servers_execute_never_shows_a_password(
    server: InfluxDBServer, statement: str
) -> None:
    """``InfluxDBServer.execute`` (what fixtures use) scrubs the server's message as a
    session does: influxd's parse error quotes the token it stopped at."""
    with pytest.raises(InfluxDBServerError) as caught:
        server.execute(statement)
    shown = "".join(traceback.format_exception(caught.value))
    assert "failed" in shown
    assert "SECRET" not in shown
