"""Retention and downsampling as code, against an influxd running its continuous queries
every second: migrate creates, alters, re-creates and prunes; the server really runs the
declared CQ; backfill gives the same bars for the past."""

from __future__ import annotations

import itertools
import re
import time as clock
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import influxorm as orm
from influxorm.session import Session
from influxorm.session.aiohttp_transport import AiohttpTransport
from influxorm.session.messages import Request, Response
from influxorm.testing import InfluxDBServer


class Tick(orm.Measurement, name="ticks", retention_policy="raw"):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    price: float = orm.field()
    size: int = orm.field()


class Bar(orm.Measurement, name="bars", retention_policy="bars"):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    open: float = orm.field()
    high: float = orm.field()
    low: float = orm.field()
    close: float = orm.field()
    volume: int = orm.field()


def bars_query(every: str = "1m") -> orm.query.IntoQuery[Tick]:
    return (
        Tick.objects.aggregate(
            open=orm.First("price"),
            high=orm.Max("price"),
            low=orm.Min("price"),
            close=orm.Last("price"),
            volume=orm.Sum("size"),
        )
        .group_by("instrument", orm.every(every), fill="none")
        .into(Bar)
    )


POLICIES = [orm.RetentionPolicy("raw", "7d", default=True), orm.RetentionPolicy("bars", "52w")]
_names = itertools.count()


@pytest.fixture(scope="module")
def cq_server() -> Iterator[InfluxDBServer]:
    with InfluxDBServer(continuous_queries=True, cq_run_interval="1s") as server:
        yield server


class Recording:
    """The real transport, remembering every request (and optionally reporting another
    server version in ``X-Influxdb-Version``, as a 2.x or 3.x server's /ping does)."""

    def __init__(self, url: str, version: str | None = None) -> None:
        self.inner = AiohttpTransport(url)
        self.requests: list[Request] = []
        self.version = version

    async def request(self, request: Request) -> Response:
        self.requests.append(request)
        response = await self.inner.request(request)
        if self.version is not None:
            response.headers = {**response.headers, "X-Influxdb-Version": self.version}
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def open_session(influxd: InfluxDBServer, **options: Any) -> Session:
    return Session(
        influxd.url,
        database=f"ds_{next(_names)}",
        username=influxd.username,
        password=influxd.password,
        **options,
    )


@pytest.fixture
def cq_session(cq_server: InfluxDBServer) -> Iterator[Session]:
    with open_session(cq_server) as s:
        s.create_database()
        yield s
        s.drop_database()


def policies(cq_session: Session) -> dict[str, tuple[str, str, int, bool]]:
    return {
        row["name"]: (row["duration"], row["shardGroupDuration"], row["replicaN"], row["default"])
        for row in cq_session.show_retention_policies()
    }


def cq_names(cq_session: Session) -> list[str]:
    return [row["name"] for row in cq_session.show_continuous_queries(cq_session.database)]


def test_migrate_creates_then_has_nothing_to_do(cq_session: Session) -> None:
    cq = orm.ContinuousQuery("bars_1m", bars_query(), resample_for="10m")
    changes = cq_session.migrate(retention_policies=POLICIES, continuous_queries=[cq])
    assert [(c.action, c.kind, c.name) for c in changes] == [
        ("create", "retention policy", "raw"),
        ("create", "retention policy", "bars"),
        ("create", "continuous query", "bars_1m"),
    ]
    assert changes[2].statement.startswith(
        f'CREATE CONTINUOUS QUERY "bars_1m" ON "{cq_session.database}" RESAMPLE FOR 10m BEGIN '
    )
    found = policies(cq_session)
    assert found["raw"] == ("168h0m0s", "24h0m0s", 1, True)
    assert found["bars"] == ("8736h0m0s", "168h0m0s", 1, False)
    assert cq_names(cq_session) == ["bars_1m"]
    assert cq_session.migrate(retention_policies=POLICIES, continuous_queries=[cq]) == []


def test_a_changed_duration_is_one_alter(cq_session: Session) -> None:
    cq_session.migrate(retention_policies=POLICIES)
    shorter = [orm.RetentionPolicy("raw", "3d", default=True), POLICIES[1]]
    changes = cq_session.migrate(retention_policies=shorter)
    assert [(c.action, c.statement) for c in changes] == [
        ("alter", f'ALTER RETENTION POLICY "raw" ON "{cq_session.database}" DURATION 3d')
    ]
    assert policies(cq_session)["raw"][0] == "72h0m0s"
    # Shorter than its shard duration: the shard duration follows, in the same ALTER.
    two_hours = [orm.RetentionPolicy("raw", "2h", default=True), POLICIES[1]]
    (change,) = cq_session.migrate(retention_policies=two_hours)
    assert change.statement.endswith("DURATION 2h SHARD DURATION 1h")
    assert policies(cq_session)["raw"][:2] == ("2h0m0s", "1h0m0s")
    assert cq_session.migrate(retention_policies=two_hours) == []


def test_a_changed_cq_is_dropped_and_created(cq_session: Session) -> None:
    first = orm.ContinuousQuery("bars", bars_query("1m"))
    cq_session.migrate(retention_policies=POLICIES, continuous_queries=[first])
    second = orm.ContinuousQuery("bars", bars_query("5m"))
    changes = cq_session.migrate(retention_policies=POLICIES, continuous_queries=[second])
    assert [(c.action, c.kind, c.name) for c in changes] == [
        ("drop", "continuous query", "bars"),
        ("create", "continuous query", "bars"),
    ]
    (row,) = cq_session.show_continuous_queries(cq_session.database)
    assert "time(5m)" in row["query"]
    assert cq_session.migrate(retention_policies=POLICIES, continuous_queries=[second]) == []


def test_dry_run_sends_nothing_but_reads(cq_server: InfluxDBServer) -> None:
    with open_session(cq_server) as setup:
        setup.create_database()
        transport = Recording(cq_server.url)
        with open_session(cq_server, transport=transport) as s:
            s.database = setup.database
            cq = orm.ContinuousQuery("bars", bars_query())
            plan = s.migrate(retention_policies=POLICIES, continuous_queries=[cq], dry_run=True)
            assert len(plan) == 3
            sent = [r.statement for r in transport.requests if r.statement is not None]
            assert sent == [
                f'SHOW RETENTION POLICIES ON "{setup.database}"',
                "SHOW CONTINUOUS QUERIES",
            ]
            assert policies(setup) == {"autogen": ("0s", "168h0m0s", 1, True)}
            assert cq_names(setup) == []
            assert s.migrate(retention_policies=POLICIES, continuous_queries=[cq]) == plan
        setup.drop_database()


def test_prune_drops_only_what_is_undeclared(cq_session: Session) -> None:
    keep = orm.ContinuousQuery("keep", bars_query())
    extra = orm.ContinuousQuery("extra", bars_query("5m"))
    spare = orm.RetentionPolicy("spare", "1d")
    cq_session.migrate(retention_policies=[*POLICIES, spare], continuous_queries=[keep, extra])
    assert cq_session.migrate(retention_policies=POLICIES, continuous_queries=[keep]) == []
    changes = cq_session.migrate(retention_policies=POLICIES, continuous_queries=[keep], prune=True)
    assert {(c.action, c.kind, c.name) for c in changes} == {
        ("drop", "continuous query", "extra"),
        ("drop", "retention policy", "spare"),
        ("drop", "retention policy", "autogen"),
    }
    assert sorted(policies(cq_session)) == ["bars", "raw"]
    assert cq_names(cq_session) == ["keep"]
    assert (
        cq_session.migrate(retention_policies=POLICIES, continuous_queries=[keep], prune=True) == []
    )


def python_bars(ticks: list[Tick], every_s: int) -> dict[tuple[str, int], tuple[Any, ...]]:
    buckets: dict[tuple[str, int], list[Tick]] = defaultdict(list)
    for tick in sorted(ticks, key=lambda t: t.time):
        start = int(tick.time.timestamp()) // every_s * every_s
        buckets[(tick.instrument, start)].append(tick)
    return {
        key: (
            group[0].price,
            max(t.price for t in group),
            min(t.price for t in group),
            group[-1].price,
            sum(t.size for t in group),
        )
        for key, group in buckets.items()
    }


def stored_bars(cq_session: Session) -> dict[tuple[str, int], tuple[Any, ...]]:
    return {
        (bar.instrument, int(bar.time.timestamp())): (
            bar.open,
            bar.high,
            bar.low,
            bar.close,
            bar.volume,
        )
        for bar in Bar.objects.using(cq_session).fetch()
    }


def make_ticks(start: datetime, seconds: int, per_second: int = 3) -> list[Tick]:
    ticks = []
    for i in range(seconds * per_second):
        ticks.append(
            Tick(
                time=start + timedelta(milliseconds=i * 1000 // per_second + 7),
                instrument=("AAPL", "MSFT")[i % 2],
                price=100 + (i * 37 % 23) / 4,
                size=1 + i * 13 % 50,
            )
        )
    return ticks


def test_the_server_runs_the_cq_into_the_target_model(cq_session: Session) -> None:
    cq = orm.ContinuousQuery("bars_2s", bars_query("2s"), resample_for="1m")
    cq_session.migrate(retention_policies=POLICIES, continuous_queries=[cq])
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(seconds=20) - timedelta(seconds=now.second % 2)
    ticks = make_ticks(start, 16)
    cq_session.write(ticks)
    expected = python_bars(ticks, 2)
    deadline = clock.monotonic() + 30
    while stored_bars(cq_session) != expected and clock.monotonic() < deadline:
        clock.sleep(0.5)
    assert stored_bars(cq_session) == expected


def test_backfill_gives_the_same_bars_for_the_past(cq_session: Session) -> None:
    cq_session.migrate(retention_policies=POLICIES)
    start = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    ticks = make_ticks(start + timedelta(seconds=17), 10 * 60, per_second=1)
    # The data is older than the 7d "raw" policy: keep it in a forever policy for the test.
    cq_session.create_retention_policy("forever", duration="INF")

    class OldTick(Tick, name="ticks", retention_policy="forever"):
        pass

    cq_session.write([OldTick(**t.to_dict()) for t in ticks])
    forever_bars = (
        OldTick.objects.aggregate(
            open=orm.First("price"),
            high=orm.Max("price"),
            low=orm.Min("price"),
            close=orm.Last("price"),
            volume=orm.Sum("size"),
        )
        .group_by("instrument", orm.every("1m"), fill="none")
        .into(Bar, retention_policy="forever")
    )
    cq = orm.ContinuousQuery("bars_1m", forever_bars)
    reports: list[tuple[int, int | None, str]] = []
    written = cq_session.backfill(
        cq,
        start=start + timedelta(seconds=17),
        end=start + timedelta(minutes=10, seconds=17),
        step="3m",
        progress=lambda done, total, what: reports.append((done, total, what)),
    )
    assert reports == [(i, 4, "backfill slices") for i in (1, 2, 3, 4)]
    expected = python_bars(ticks, 60)
    assert written == len(expected)

    class ForeverBar(Bar, name="bars", retention_policy="forever"):
        pass

    def stored() -> dict[tuple[str, int], tuple[Any, ...]]:
        return {
            (b.instrument, int(b.time.timestamp())): (b.open, b.high, b.low, b.close, b.volume)
            for b in ForeverBar.objects.using(cq_session).fetch()
        }

    assert stored() == expected
    # Idempotent: a second run rewrites the same points.
    cq_session.backfill(cq, start=start, end=start + timedelta(minutes=11), step="1h")
    assert stored() == expected


def test_backfill_refuses_a_step_that_splits_buckets(cq_session: Session) -> None:
    cq = orm.ContinuousQuery("bars", bars_query("1m"))
    with pytest.raises(orm.ValidationError, match="whole number of GROUP BY intervals"):
        cq_session.backfill(cq, start=0, end=10**12, step="90s")


@pytest.mark.parametrize(
    ("version", "server", "instead"),
    [("2.7.4", "influxdb2", "task"), ("v3.0.1", "influxdb3", "set at creation")],
)
def test_migrate_on_2x_and_3x_is_refused_before_anything_is_sent(
    cq_server: InfluxDBServer, version: str, server: str, instead: str
) -> None:
    """The profile found from /ping (here influxd's answer reporting another version)."""
    transport = Recording(cq_server.url, version=version)
    with (
        open_session(cq_server, transport=transport) as s,
        pytest.raises(orm.UnsupportedByServerError, match=instead) as caught,
    ):
        s.migrate(retention_policies=POLICIES)
    assert caught.value.server == server
    assert [r.statement for r in transport.requests] == [None]  # the /ping only


@pytest.mark.parametrize("server", ["influxdb2", "influxdb3"])
def test_migrate_with_a_declared_server_sends_nothing(
    cq_server: InfluxDBServer, server: str
) -> None:
    transport = Recording(cq_server.url)
    with (
        open_session(cq_server, transport=transport, server=server) as s,
        pytest.raises(orm.UnsupportedByServerError, match=f"server='{server}'"),
    ):
        s.migrate(retention_policies=POLICIES, dry_run=True)
    assert transport.requests == []


HOSTILE = "'\"\\/;$-*\n\t#=, ()\u00e9\u2028\U0001f600"
hostile_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(HOSTILE),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
    ),
    min_size=1,
    max_size=12,
)


def _valid_rp(name: str) -> bool:
    try:
        orm.RetentionPolicy(name, "1d")
    except orm.ValidationError:
        return False
    return True


rp_names = hostile_text.filter(_valid_rp)
measurement_names = hostile_text.map(lambda s: s.replace("\n", " ")).filter(
    lambda s: not s.endswith("\\") and not s.startswith(("#", " ", "\t")) and s.strip() != ""
)


@pytest.fixture(scope="module")
def canary(cq_server: InfluxDBServer) -> Iterator[Session]:
    with open_session(cq_server) as s:
        s.create_database()
        s.create_retention_policy("raw", duration="INF")
        s.write([Tick(time=datetime(2024, 1, 1, tzinfo=UTC), instrument="C", price=1.0, size=1)])
        yield s
        s.drop_database()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rp_name=rp_names,
    cq_name=hostile_text,
    target=measurement_names,
    value=hostile_text,
    pattern=hostile_text.filter(lambda s: "\n" not in s),
)
def test_hostile_names_and_values_are_quoted(
    cq_server: InfluxDBServer,
    canary: Session,
    rp_name: str,
    cq_name: str,
    target: str,
    value: str,
    pattern: str,
) -> None:
    query = (
        Tick.objects.where(instrument__ne=value)
        .exclude(instrument__regex=re.escape(pattern))
        .aggregate(mean=orm.Mean("price"))
        .group_by(orm.every("1m"))
        .into(target, retention_policy=rp_name)
    )
    raw = orm.RetentionPolicy("raw", "7d", default=True)
    declared = [raw, orm.RetentionPolicy(rp_name, "1d")] if rp_name != "raw" else [raw]
    cq = orm.ContinuousQuery(cq_name, query)
    with open_session(cq_server) as s:
        s.create_database()
        try:
            changes = s.migrate(retention_policies=declared, continuous_queries=[cq])
            assert [c.name for c in changes] == [rp.name for rp in declared] + [cq_name]
            assert set(policies(s)) == {"autogen", "raw", rp_name}
            assert cq_names(s) == [cq_name]
            assert s.migrate(retention_policies=declared, continuous_queries=[cq]) == []
        finally:
            s.drop_database()
    assert canary.database in canary.show_databases()
    assert [t.price for t in Tick.objects.using(canary).fetch()] == [1.0]
    assert cq_names(canary) == []


async def test_the_async_session_migrates_and_backfills(cq_server: InfluxDBServer) -> None:
    async with orm.AsyncSession(
        cq_server.url,
        database=f"ds_{next(_names)}",
        username=cq_server.username,
        password=cq_server.password,
    ) as s:
        await s.create_database()
        try:
            cq = orm.ContinuousQuery("bars", bars_query())
            changes = await s.migrate(retention_policies=POLICIES, continuous_queries=[cq])
            assert len(changes) == 3
            assert await s.migrate(retention_policies=POLICIES, continuous_queries=[cq]) == []
            rows = await s.show_continuous_queries(s.database)
            assert [row["name"] for row in rows] == ["bars"]
            await s.drop_continuous_query("bars")
            assert await s.show_continuous_queries(s.database) == []
            await s.create_continuous_query(cq)
            assert await s.migrate(retention_policies=POLICIES, continuous_queries=[cq]) == []
            start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
            ticks = make_ticks(start, 120, per_second=1)
            await s.write(ticks)
            written = await s.backfill(cq.query, start=start, end=start + timedelta(minutes=2))
            assert written == len(python_bars(ticks, 60)) == 4
        finally:
            await s.drop_database()


SHAPES = {
    "offset": Tick.objects.aggregate(open=orm.First("price"))
    .group_by(orm.every("1h", offset="15m"))
    .into(Bar),
    "negative offset": Tick.objects.aggregate(open=orm.First("price"))
    .group_by("instrument", orm.every("1d", offset=-timedelta(hours=6)))
    .into(Bar),
    "fill previous and tz": Tick.objects.aggregate(high=orm.Max("price"))
    .group_by(orm.every("90m"), fill="previous")
    .tz("Europe/London")
    .into(Bar),
    "fill float": Tick.objects.aggregate(high=orm.Mean("price"))
    .group_by(orm.every("1m"), fill=-1.5)
    .into(Bar),
    "fill int and ints": Tick.objects.where(size__gt=-(2**62), size__lte=10)
    .aggregate(volume=orm.Sum("size"))
    .group_by(orm.every("1w"), fill=0)
    .into(Bar),
    "functions with arguments": Tick.objects.aggregate(
        high=orm.Percentile("price", 99.5),
        low=orm.Derivative(orm.Mean("price"), "1s"),
        close=orm.MovingAverage(orm.Mean("price"), 3),
        open=orm.Integral("price", "1m"),
    )
    .group_by(orm.every("5m"))
    .into(Bar),
    "in and regex": Tick.objects.where(
        orm.Q(instrument__in=["A'B", "C\\D", 'E"F'])
        | orm.Q(instrument__regex="^x/y\\.z$", price__lt=2.25)
    )
    .exclude(instrument="G H")
    .aggregate(volume=orm.Count("size"))
    .group_by("*", orm.every("30s"))
    .into(Bar),
    "into a named target": Tick.objects.aggregate(v=orm.Spread("price"))
    .group_by(orm.every("2h"))
    .into("spreads", retention_policy="bars"),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_query_shape_reads_back_the_same(cq_session: Session, name: str) -> None:
    """influxd's rewriting of each shape compares equal to the declaration: migrate
    creates it, then has nothing to do."""
    cq = orm.ContinuousQuery(name, SHAPES[name], resample_every="2m", resample_for="2w")
    assert len(cq_session.migrate(retention_policies=POLICIES, continuous_queries=[cq])) == 3
    assert cq_session.migrate(retention_policies=POLICIES, continuous_queries=[cq]) == []
