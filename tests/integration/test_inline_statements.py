"""Inline and bound statements are the same statement, on influxd's own parser.

Arbitrary values (quotes, backslash runs, ``$p0``, ``;``, ``--``, ``/* */``, slashes,
unicode, tabs, line feeds) are written as points, then every kind of filter runs twice:
as ``query.influxql`` with ``query.params`` bound and as ``query.inline_influxql``. The
answers must be identical (and right), and canary measurements and databases untouched.
"""

from __future__ import annotations

import itertools
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import influxorm as orm
from influxorm.influxql import quote_ident
from influxorm.query import compile_delete
from influxorm.session import Session
from influxorm.session.aiohttp_transport import AiohttpTransport
from influxorm.session.messages import Endpoint, Request, Response
from influxorm.testing import InfluxDBServer

T0 = 1_704_067_200_000_000_000  # 2024-01-01T00:00:00Z
STEP = 1_000_000_007  # points a little over a second apart, so bounds need nanoseconds


class Thing(orm.Measurement, name="inline_things"):
    time: int = orm.time()
    key: str = orm.tag()
    label: str = orm.field()
    n: int = orm.field()
    x: float = orm.field()
    ok: bool = orm.field()


class Canary(orm.Measurement, name="inline_canary"):
    time: int = orm.time()
    key: str = orm.tag()
    label: str = orm.field()


CANARY = Canary(time=T0, key="k", label="untouched")

FRAGMENTS = [
    "'",
    '"',
    "\\",
    "\\\\",
    "\\'",
    "$p0",
    "$p1",
    ";",
    "--",
    "/*",
    "*/",
    "/",
    "\\/",
    "\t",
    "\n",
    "\u00e9",
    "\u2028",
    "\U0001f600",
    " OR 1=1",
    "; DROP DATABASE x",
    "=~",
    "(",
    ")",
    ".*",
]
texts = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.text(
            st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
            min_size=1,
            max_size=3,
        ),
    ),
    min_size=1,
    max_size=5,
).map("".join)
# A CR or NUL in a string field: bound, it matches; inline, it is refused (no InfluxQL
# string literal spells it; a regex literal does, as \r and \x00).
labels = st.one_of(texts, texts.map(lambda s: s + "\r"), texts.map(lambda s: "\x00" + s))
# The line protocol carries no LF in a tag value, nor a trailing backslash or edge spaces.
tag_values = texts.map(lambda s: s.replace("\n", " ")).filter(
    lambda s: not s.endswith("\\") and s.strip() != "" and s == s.strip(" ")
)
ints = st.integers(min_value=-(2**63), max_value=2**63 - 1)
floats = st.floats(allow_nan=False, allow_infinity=False)

_RE2_SPECIAL = frozenset("\\.+*?()|[]{}^$")


def prefix(text: str) -> str:
    """A regex matching what starts with ``text``: RE2's special characters escaped (a
    trailing backslash too); slashes, quotes, tabs, line feeds, CR and NUL stay raw for
    the quoting to deal with."""
    return "^" + "".join("\\" + c if c in _RE2_SPECIAL else c for c in text)


def exact(text: str) -> str:
    """A regex matching exactly ``text`` (see :func:`prefix`)."""
    return prefix(text) + "$"


_counter = itertools.count()


@pytest.fixture
def canary_db(influxdb_server: InfluxDBServer, influxdb_session: Session) -> Iterator[str]:
    session = influxdb_session
    name = f"inline_canary_{next(_counter)}_{session.database}"
    session.create_database(name)
    session.write([CANARY], db=name)
    session.write([CANARY])
    yield name
    session.drop_database(name)


def assert_canaries(session: Session, canary_db: str) -> None:
    assert Canary.objects.fetch() == [CANARY]
    other = session.query("SELECT * FROM inline_canary", db=canary_db)
    assert other["results"][0]["series"][0]["values"] == [[T0, "k", "untouched"]]


def run(session: Session, query: Any) -> Any:
    """The answer to ``query`` bound and inline; they must be identical."""
    bound = session.query(query.influxql, params=query.params or None)
    inline = session.query(query.inline_influxql)
    assert inline == bound, query.inline_influxql
    return bound


def rows(answer: Any) -> list[list[Any]]:
    return [v for s in answer["results"][0].get("series", ()) for v in s["values"]]


def times(answer: Any) -> list[int]:
    return [row[0] for row in rows(answer)]


def run_or_refuse(session: Session, query: Any, value: str) -> Any:
    """As :func:`run`, except that a value with a CR or NUL must be refused inline."""
    if "\r" in value or "\x00" in value:
        with pytest.raises(orm.QueryBuildError, match=r"carriage return|NUL"):
            query.inline_influxql  # noqa: B018
        return session.query(query.influxql, params=query.params)
    return run(session, query)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    keys=st.lists(tag_values, min_size=1, max_size=3, unique=True),
    labels=st.lists(labels, min_size=1, max_size=3),
    numbers=st.lists(st.tuples(ints, floats, st.booleans()), min_size=1, max_size=3),
    pick=st.integers(min_value=0, max_value=100),
    bounds=st.tuples(st.integers(0, 8 * STEP), st.integers(0, 8 * STEP)),
)
def test_inline_and_bound_forms_answer_the_same(
    influxdb_session: Session,
    canary_db: str,
    keys: list[str],
    labels: list[str],
    numbers: list[tuple[int, float, bool]],
    pick: int,
    bounds: tuple[int, int],
) -> None:
    session = influxdb_session
    session.query('DROP MEASUREMENT "inline_things"')
    count = 2 * max(len(keys), len(labels), len(numbers))
    things = [
        Thing(
            time=T0 + i * STEP,
            key=keys[i % len(keys)],
            label=labels[i % len(labels)],
            n=numbers[i % len(numbers)][0],
            x=numbers[i % len(numbers)][1],
            ok=numbers[i % len(numbers)][2],
        )
        for i in range(count)
    ]
    session.write(things)
    key = keys[pick % len(keys)]
    label = labels[pick % len(labels)]
    n, x, ok = numbers[pick % len(numbers)]
    lo, hi = T0 + min(bounds), T0 + max(bounds)

    def matching(keep: Callable[[Thing], bool]) -> list[int]:
        return [t.time for t in things if keep(t)]

    q = Thing.objects
    assert times(run(session, q.where(key=key))) == matching(lambda t: t.key == key)
    assert times(run(session, q.exclude(key=key))) == matching(lambda t: t.key != key)
    assert times(run(session, q.where(key__in=[key, "\\'--"]))) == matching(lambda t: t.key == key)
    assert times(run(session, q.where(key__regex=exact(key)))) == matching(lambda t: t.key == key)
    assert times(run(session, q.exclude(key__regex=exact(key)))) == matching(lambda t: t.key != key)
    by_label = run_or_refuse(session, q.where(label=label), label)
    assert times(by_label) == matching(lambda t: t.label == label)
    by_label_regex = run(session, q.where(label__regex=exact(label)))
    assert times(by_label_regex) == matching(lambda t: t.label == label)
    by_key_prefix = run(session, q.where(key__regex=prefix(key)))
    assert times(by_key_prefix) == matching(lambda t: t.key.startswith(key))
    by_label_prefix = run(session, q.where(label__regex=prefix(label)))
    assert times(by_label_prefix) == matching(lambda t: t.label.startswith(label))
    run_or_refuse(session, q.where(label__in=[label, *labels]), "".join(labels))
    assert times(run(session, q.where(n__gte=n))) == matching(lambda t: t.n >= n)
    assert times(run(session, q.where(n=n))) == matching(lambda t: t.n == n)
    assert times(run(session, q.where(x__lt=x))) == matching(lambda t: t.x < x)
    assert times(run(session, q.where(ok=ok))) == matching(lambda t: t.ok == ok)
    in_range = run(session, q.where(time__gte=lo, time__lt=hi))
    assert times(in_range) == matching(lambda t: lo <= t.time < hi)
    run(
        session,
        q.where(key=key, time__gte=T0, time__lt=T0 + 10 * STEP)
        .aggregate(n=orm.Count("label"), top=orm.Max("n"))
        .group_by("key", orm.every("2s"), fill=0),
    )
    # SELECT INTO (what a continuous query runs): both forms write the same points.
    into = q.where(key=key, time__gte=lo).into("inline_copy_bound")
    session.query(into.influxql, params=into.params)
    into = q.where(key=key, time__gte=lo).into("inline_copy_inline")
    session.query(into.inline_influxql)
    copies = [
        session.query(f"SELECT * FROM {name} GROUP BY *")["results"][0].get("series")
        for name in ("inline_copy_bound", "inline_copy_inline")
    ]
    for series in copies:
        for s in series or ():
            s.pop("name")
    assert copies[0] == copies[1]
    session.query("DROP MEASUREMENT inline_copy_bound")
    session.query("DROP MEASUREMENT inline_copy_inline")
    # DELETE, inline: exactly the points of that tag value go.
    text, params = compile_delete(q.where(key=key), inline=True)
    assert params == {}
    session.query(text)
    assert times(run(session, q)) == matching(lambda t: t.key != key)
    assert_canaries(session, canary_db)


# Classic injection payloads, for every position a value takes in an inline statement.
PAYLOADS = [
    "' OR 1=1 --",
    "x'; DROP DATABASE canary; --",
    "x' OR ''='",
    "\\' OR 1=1 --",
    "\\\\'; DELETE FROM inline_things; --",
    "$p0",
    "*/ DROP MEASUREMENT inline_canary /*",
    '"; DROP DATABASE "canary',
    "x/ OR key =~ /.*",
    "/.*/",
    "a\\/b\\\\/ OR 1=1",
    "; SHOW DATABASES",
    "x\n; DROP MEASUREMENT inline_canary",
    "\t--\t",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_payloads_inline_change_nothing(
    influxdb_session: Session, canary_db: str, payload: str
) -> None:
    """Each payload as a tag value, a string field, a regex (escaped and raw), a member of
    ``in``, a DELETE filter, an INTO target and the names of a measurement and its tag."""
    session = influxdb_session
    session.query('DROP MEASUREMENT "inline_things"')
    tag = payload.replace("\n", " ")
    things = [
        Thing(time=T0, key=tag, label=payload, n=1, x=1.0, ok=True),
        Thing(time=T0 + STEP, key="other", label="other", n=2, x=2.0, ok=False),
    ]
    session.write(things)
    q = Thing.objects
    assert times(run(session, q.where(key=tag))) == [T0]
    assert times(run(session, q.where(label=payload))) == [T0]
    assert times(run(session, q.where(key__in=[tag, "none"]))) == [T0]
    assert times(run(session, q.exclude(label__in=[payload]))) == [T0 + STEP]
    assert times(run(session, q.where(key__regex=exact(tag)))) == [T0]
    assert times(run(session, q.where(label__regex=exact(payload)))) == [T0]
    # The payload itself as an RE2 pattern, hostile or invalid: the same outcome.
    raw = q.where(label__regex=payload.replace("\n", "\\n"))
    try:
        bound = session.query(raw.influxql, params=raw.params)
    except orm.QueryError:
        with pytest.raises(orm.QueryError):
            session.query(raw.inline_influxql)
    else:
        assert session.query(raw.inline_influxql) == bound

    target = f"inline_copy {tag}"
    session.query(q.where(key=tag).into(target).inline_influxql)
    assert len(rows(session.query(f"SELECT * FROM {quote_ident(target)}"))) == 1
    session.query(f"DROP MEASUREMENT {quote_ident(target)}")

    hostile = types.new_class(
        "Hostile",
        (orm.Measurement,),
        {"name": f"inline {tag}"},
        lambda ns: ns.update(
            __annotations__={"time": "int", "tag": "str", "label": "str"},
            time=orm.time(),
            tag=orm.tag(name=f"k {tag}"),
            label=orm.field(name=f"f {tag}"),
        ),
    )
    session.write([hostile(time=T0, tag=tag, label=payload)])
    assert len(rows(run(session, hostile.objects.where(tag=tag, label=payload)))) == 1
    text, _ = compile_delete(hostile.objects.where(tag=tag), inline=True)
    session.query(text)
    assert rows(run(session, hostile.objects)) == []

    text, _ = compile_delete(q.where(key=tag), inline=True)
    session.query(text)
    assert times(run(session, q)) == [T0 + STEP]
    assert_canaries(session, canary_db)


class Recording:
    """A transport that records every request it sends through the real one."""

    def __init__(self, url: str) -> None:
        self.inner = AiohttpTransport(url)
        self.requests: list[Request] = []

    async def request(self, request: Request) -> Response:
        self.requests.append(request)
        return await self.inner.request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_an_inline_session_runs_every_model_query_without_params(
    influxdb_server: InfluxDBServer, influxdb_session: Session
) -> None:
    """``inline_statements=True``: the same answers, and no request carries ``params``."""
    bound = influxdb_session
    bound.query('DROP MEASUREMENT "inline_things"')
    things = [
        Thing(time=T0 + i * STEP, key=k, label=f"it's {i} \\ /*", n=i - 2, x=i / 2, ok=i % 2 == 0)
        for i, k in enumerate(["a'", "b\\\\c", "a'", "$p0", "b\\\\c", "a'"])
    ]
    bound.write(things)
    transport = Recording(influxdb_server.url)
    with Session(
        influxdb_server.url,
        database=bound.database,
        username=influxdb_server.username,
        password=influxdb_server.password,
        inline_statements=True,
        transport=transport,
    ) as inline:
        assert inline.inline_statements
        assert not bound.inline_statements
        rows_query = Thing.objects.where(key__in=["a'", "$p0"], n__gte=-1, time__gte=T0)
        aggregate = (
            Thing.objects.where(label__regex="^it's [0-4] \\\\ /")
            .aggregate(total=orm.Sum("n"), mean=orm.Mean("x"))
            .group_by("key", orm.every("2s"), fill=0)
            .where(time__gte=T0, time__lt=T0 + 10 * STEP)
        )
        answers = []
        for session in (bound, inline):
            q = rows_query.using(session)
            agg = aggregate.using(session)
            answers.append(
                (
                    q.fetch(),
                    q.order_by("-time").first(),
                    q.count(),
                    q.exists(),
                    list(q.iterate(chunk_size=1)),
                    q.to_dataframe().to_dict(),
                    agg.fetch(),
                    agg.to_dataframe().to_dict(),
                )
            )
        assert answers[0] == answers[1]
        assert len(answers[0][0]) == 3

        copy = Thing.objects.using(inline).where(key="b\\\\c").into("inline_session_copy")
        assert copy.execute() == 2
        Thing.objects.using(inline).where(key="a'").delete()
        assert [t.key for t in Thing.objects.using(bound).fetch()] == ["b\\\\c", "$p0", "b\\\\c"]

    sent = [r for r in transport.requests if r.endpoint is Endpoint.QUERY]
    assert len(sent) == 10  # 8 reads (iterate is one chunked request), INTO, DELETE
    for request in sent:
        assert not any(name == "params" for name, _ in request.params)
        assert b"params=" not in request.body
    assert any("'a\\''" in (r.statement or "") for r in sent)
