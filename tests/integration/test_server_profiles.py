"""Server profiles on real HTTP: every capability decision, seen through a recording proxy.

The proxy (``tests/support/faultproxy.py``) sits in front of the suite's real influxd and
records each request as the client sent it. Where another generation's answer is needed
(a ``/ping`` with 2.x or 3.x headers, 3.x refusing msgpack), the proxy answers that one
request as the vendor documents it (sources in ``docs/servers.md``) and forwards the rest
to influxd, so the data path is always the real server.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from support.faultproxy import Answer, FaultProxy, Recorded, Responder

import influxorm as orm
from influxorm.cli.main import main
from influxorm.session import AsyncSession, Session
from influxorm.testing import InfluxDBServer

T0 = 1_704_067_200_000_000_000


class Tick(orm.Measurement, name="profile_ticks"):
    time: int = orm.time()
    sym: str = orm.tag()
    price: float = orm.field()
    size: int = orm.field()
    note: str | None = orm.field(default=None)


def _ticks() -> list[Tick]:
    return [
        Tick(
            time=T0 + i * 1_000_000_000,
            sym="AB"[i % 2] if i % 5 else "C'; DROP DATABASE x --",
            price=1.0 + i / 4,
            size=i,
            note="it's $p0" if i % 3 == 0 else None,
        )
        for i in range(40)
    ]


@pytest.fixture
def ticks_db(influxdb_server: InfluxDBServer, influxdb_database: str) -> str:
    with Session(influxdb_server.url, database=influxdb_database) as session:
        session.write(_ticks())
    return influxdb_database


def _queries_of(proxy: FaultProxy) -> list[Recorded]:
    return [r for r in proxy.recorded if r.path.endswith("/query")]


def _ping_as(status: int, headers: list[tuple[str, str]], body: bytes = b"") -> Responder:
    def responder(request: Recorded) -> Answer | None:
        if request.path.endswith("/ping"):
            return status, headers, body
        return None

    return responder


def _surface(session: Session) -> dict[str, object]:
    """Every model-query terminal, with values in every position the compiler binds."""
    q = Tick.objects.using(session)
    hostile = "C'; DROP DATABASE x --"
    agg = (
        q.where(sym__in=["A", "B", hostile], time__gte=T0, time__lt=T0 + 40_000_000_000)
        .aggregate(avg=orm.Mean("price"), total=orm.Sum("size"))
        .group_by("sym", orm.every("10s"), fill=None)
    )
    return {
        "fetch": q.where(sym="A", price__gt=2.0).fetch(),
        "fetch_hostile": q.where(sym=hostile).fetch(),
        "fetch_regex": q.where(sym__regex="^[AB]$", note="it's $p0").fetch(),
        "first": q.where(sym="B").order_by("-time").first(),
        "count": q.where(size__gte=7, time__lt=T0 + 30_000_000_000).count(),
        "exists": q.where(sym="A").exists(),
        "exists_not": q.where(sym="nope").exists(),
        "iterate": list(q.where(sym__ne="A").iterate(chunk_size=7)),
        "dataframe": q.where(sym="B").to_dataframe(),
        "aggregates": agg.fetch(),
        "aggregate_first": agg.first(),
        "aggregate_frame": agg.to_dataframe(),
    }


def _assert_same(got: dict[str, object], expected: dict[str, object]) -> None:
    assert got.keys() == expected.keys()
    for name, value in expected.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(got[name], value, check_like=False)  # type: ignore[arg-type]
        else:
            assert got[name] == value, name


def test_influxdb3_profile_answers_the_model_query_surface_like_the_default(
    influxdb_server: InfluxDBServer, ticks_db: str
) -> None:
    with Session(influxdb_server.url, database=ticks_db) as session:
        expected = _surface(session)
    assert expected["fetch"]
    assert expected["fetch_hostile"]
    assert expected["aggregates"]
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port) as proxy,
        Session(proxy.url, database=ticks_db, server="influxdb3") as session,
    ):
        assert session.inline_statements
        got = _surface(session)
    _assert_same(got, expected)
    queries = _queries_of(proxy)
    assert len(queries) >= 12
    for request in queries:
        # No bound parameters, no msgpack, and everything in the URL (3.x reads only it).
        assert request.method == "GET"
        assert "params" not in request.params, request.target
        assert "msgpack" not in (request.header("Accept") or ""), request
    assert not [r for r in proxy.recorded if r.path == "/ping"]  # a given profile: no probe


def test_the_default_session_binds_values_and_asks_for_msgpack(
    influxdb_server: InfluxDBServer, ticks_db: str
) -> None:
    # The counterpart of the test above: the recording would show params and msgpack.
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port) as proxy,
        Session(proxy.url, database=ticks_db) as session,
    ):
        Tick.objects.using(session).where(sym="A").to_dataframe()
    (ping, query) = proxy.recorded
    assert ping.path == "/ping"
    assert "params" in query.params
    assert query.header("Accept") == "application/x-msgpack"


PING_ANSWERS = {
    "influxdb1": (204, [("X-Influxdb-Build", "OSS"), ("X-Influxdb-Version", "1.8.10")], b""),
    "enterprise": (204, [("X-Influxdb-Build", "ENT"), ("X-Influxdb-Version", "1.6.2-c1.6.2")], b""),
    "influxdb2": (204, [("X-Influxdb-Build", "OSS"), ("X-Influxdb-Version", "v2.2.0")], b""),
    "influxdb2 (2.1.1, two build headers)": (
        204,
        [
            ("X-Influxdb-Build", "OSS"),
            ("X-Influxdb-Build", "oss2"),
            ("X-Influxdb-Version", "2.1.1"),
        ],
        b"",
    ),
    "influxdb3": (
        200,
        [("x-influxdb-build", "Core"), ("x-influxdb-version", "3.1.0-nightly")],
        b'{"version":"3.1.0-nightly","revision":"abc","process_id":"p"}',
    ),
    "influxdb3 (3.0.x, body only)": (200, [], b'{"version":"3.0.2","revision":"r"}'),
    "influxdb3 (auth on /ping)": (401, [], b""),
    "influxdb1 (no version header)": (204, [], b""),
}


@pytest.mark.parametrize("case", sorted(PING_ANSWERS))
def test_auto_chooses_the_profile_from_the_ping_answer(
    influxdb_server: InfluxDBServer, ticks_db: str, case: str
) -> None:
    responder = _ping_as(*PING_ANSWERS[case])
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port, responder=responder) as proxy,
        Session(proxy.url, database=ticks_db) as session,
    ):
        assert session.server is None  # nothing asked yet
        rows = Tick.objects.using(session).where(sym="A").fetch()
        assert session.server_profile().name == case.split(" ")[0]
        Tick.objects.using(session).where(sym="B").count()
    assert len(rows) == 16
    # /ping once, before the first statement with a value to bind.
    assert [r.path for r in proxy.recorded].count("/ping") == 1
    assert proxy.recorded[0].path == "/ping"
    inline = case.startswith("influxdb3")
    for request in _queries_of(proxy):
        assert ("params" in request.params) is not inline


def test_auto_against_a_3x_ping_sends_inline_statements(
    influxdb_server: InfluxDBServer, ticks_db: str
) -> None:
    responder = _ping_as(*PING_ANSWERS["influxdb3"])
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port, responder=responder) as proxy,
        Session(proxy.url, database=ticks_db) as session,
    ):
        got = _surface(session)
        assert session.server is not None
        assert session.server.name == "influxdb3"
    with Session(influxdb_server.url, database=ticks_db) as session:
        expected = _surface(session)
    _assert_same(got, expected)
    assert all("params" not in r.params for r in _queries_of(proxy))


def test_a_query_without_values_needs_no_ping(
    influxdb_server: InfluxDBServer, ticks_db: str
) -> None:
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port) as proxy,
        Session(proxy.url, database=ticks_db) as session,
    ):
        assert len(Tick.objects.using(session).fetch()) == 40
        session.write(Tick(time=T0, sym="A", price=1.0, size=0))
        session.write("profile_ticks,sym=Z price=1,size=1i 1704067200", precision="s")
    assert [r.path for r in proxy.recorded] == ["/query", "/write", "/write"]


def _refusing_msgpack(status: int, body: bytes) -> Responder:
    def responder(request: Recorded) -> Answer | None:
        if request.path == "/query" and "msgpack" in (request.header("Accept") or ""):
            return status, [("Content-Type", "text/plain; charset=utf-8")], body
        return None

    return responder


@pytest.mark.parametrize(
    ("status", "body"),
    [
        # InfluxDB 3 Core/Enterprise (influxdb3_server http.rs: InvalidMimeType -> 500)
        (500, b"invalid mime type (application/x-msgpack)"),
        (400, b"invalid mime type (application/x-msgpack)"),
        (406, b"Not Acceptable"),
    ],
)
def test_a_server_refusing_msgpack_gets_json_from_then_on(
    influxdb_server: InfluxDBServer, ticks_db: str, status: int, body: bytes
) -> None:
    responder = _refusing_msgpack(status, body)
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port, responder=responder) as proxy,
        Session(proxy.url, database=ticks_db, retry_attempts=3) as session,
    ):
        first = Tick.objects.using(session).to_dataframe()
        second = Tick.objects.using(session).where(sym="A").to_dataframe()
        raw = session.query("SELECT count(price) FROM profile_ticks", output="dataframe")
    assert len(first) == 40
    assert len(second) == 16
    assert int(raw["count"].iloc[0]) == 40
    accepts = [r.header("Accept") or "" for r in _queries_of(proxy)]
    # Asked once, refused once (not retried), JSON ever after.
    assert ["msgpack" in a for a in accepts] == [True, False, False, False]


def test_a_query_error_under_msgpack_does_not_turn_msgpack_off(
    influxdb_server: InfluxDBServer, ticks_db: str
) -> None:
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port) as proxy,
        Session(proxy.url, database=ticks_db) as session,
    ):
        with pytest.raises(orm.QueryError):
            session.query("SELECT FROM WHERE", output="dataframe")
        assert len(session.query("SELECT * FROM profile_ticks", output="dataframe")) == 40
    accepts = [r.header("Accept") or "" for r in _queries_of(proxy)]
    assert accepts == ["application/x-msgpack", "application/x-msgpack"]


@pytest.mark.parametrize("server", ["influxdb3", "influxdb2"])
def test_known_profiles_refuse_what_the_server_lacks_before_sending(
    influxdb_server: InfluxDBServer, ticks_db: str, server: str
) -> None:
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port) as proxy,
        Session(proxy.url, database=ticks_db, server=server) as session,  # type: ignore[arg-type]
    ):
        refused = [
            lambda: session.create_database("other"),
            lambda: session.drop_database(),
            lambda: session.create_retention_policy("week", duration="7d"),
            lambda: session.create_user("bob", "secret"),
            lambda: session.grant("READ", "bob"),
            lambda: session.query("CREATE CONTINUOUS QUERY cq ON db BEGIN SELECT 1 END"),
            lambda: (
                Tick.objects.using(session)
                .aggregate(avg=orm.Mean("price"))
                .group_by(orm.every("1m"))
                .into("profile_bars")
                .execute()
            ),
        ]
        if server == "influxdb3":
            refused += [
                lambda: session.drop_measurement("profile_ticks"),
                lambda: Tick.objects.using(session).where(sym="A").delete(),
            ]
        for call in refused:
            with pytest.raises(orm.UnsupportedByServerError) as caught:
                call()
            error = caught.value
            assert error.server == server
            assert error.instead
            assert error.instead in str(error)
            assert server in str(error)
        assert Tick.objects.using(session).count() == 40  # SELECT still works
    assert [r.path for r in proxy.recorded] == ["/query"]  # nothing refused was sent
    assert "secret" not in str([r.target for r in proxy.recorded])


def test_influxdb3_sends_precision_n_as_ns(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port) as proxy,
        Session(proxy.url, database=influxdb_database, server="influxdb3") as session,
    ):
        session.write("p3,k=a v=1 1704067200000000000", precision="n")
        # InfluxDB 3 ignores consistency ("Ignored"): it is not sent.
        session.write("p3,k=a v=2 1704067201000", precision="ms", consistency="all")
        rows = session.query("SELECT v FROM p3", epoch="ns")
    (write_n, write_ms, _query) = proxy.recorded
    assert write_n.params["precision"] == ["ns"]
    assert write_ms.params["precision"] == ["ms"]
    assert "consistency" not in write_ms.params
    assert rows["results"][0]["series"][0]["values"] == [
        [1704067200000000000, 1],
        [1704067201000000000, 2],
    ]


def test_influxdb2_adds_dbrp_and_token_notes(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    # 2.x answers a write to an unmapped database 404 {"code":"not found",...}
    # (influxdata/influxdb http/legacy/write_handler.go, findMapping).
    def responder(request: Recorded) -> Answer | None:
        if request.path == "/write":
            body = b'{"code":"not found","message":"no dbrp mapping found"}'
            return 404, [("Content-Type", "application/json; charset=utf-8")], body
        if request.path == "/query":
            body = b'{"code":"unauthorized","message":"Unauthorized"}'
            return 401, [("Content-Type", "application/json; charset=utf-8")], body
        return None

    with (
        FaultProxy(influxdb_server.host, influxdb_server.port, responder=responder) as proxy,
        Session(proxy.url, database=influxdb_database, server="influxdb2") as session,
    ):
        with pytest.raises(orm.DatabaseNotFoundError) as missing:
            session.write(Tick(time=T0, sym="A", price=1.0, size=1))
        with pytest.raises(orm.AuthenticationError) as refused:
            session.query("SELECT * FROM profile_ticks")
    assert missing.value.server_message == "no dbrp mapping found"
    assert "influx v1 dbrp create" in "\n".join(missing.value.__notes__)
    assert "token=" in "\n".join(refused.value.__notes__)


def test_consistency_all_stores_the_points(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    # influxd 1.x OSS parses and validates consistency (a no-op without replication).
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port) as proxy,
        Session(proxy.url, database=influxdb_database) as session,
    ):
        assert session.write(_ticks()[:5], consistency="all") == 5
        with session.writer(batch_size=3, consistency="quorum") as writer:
            writer.write(_ticks()[5:12])
        with pytest.raises(orm.ValidationError, match="consistency"):
            session.write(_ticks()[:1], consistency="most")  # type: ignore[arg-type]
        url = f"{proxy.url}/{influxdb_database}?consistency=one"
        with Session.from_url(url) as session:
            session.write(_ticks()[12:14])
            assert Tick.objects.using(session).count() == 14
    writes = [r for r in proxy.recorded if r.path == "/write"]
    consistencies = [r.params["consistency"][0] for r in writes]
    assert consistencies == ["all", "quorum", "quorum", "quorum", "one"]


def test_a_dataframe_write_sends_its_consistency(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    frame = pd.DataFrame(
        {"sym": ["A", "B"], "px": [1.0, 2.0]},
        index=pd.to_datetime([T0, T0 + 1], unit="ns", utc=True),
    )
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port) as proxy,
        Session(proxy.url, database=influxdb_database) as session,
    ):
        written = session.write(
            frame, measurement="frame_ticks", tag_columns=["sym"], consistency="all"
        )
        assert written == 2
    writes = [r for r in proxy.recorded if r.path == "/write"]
    assert [r.params.get("consistency") for r in writes] == [["all"]]


async def test_behind_a_path_prefix_every_endpoint_keeps_it(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    with FaultProxy(influxdb_server.host, influxdb_server.port, prefix="/influx") as proxy:
        url = f"{proxy.url}/influx/{influxdb_database}?server=auto"
        async with AsyncSession.from_url(url) as session:
            assert await session.ping()
            await session.write(_ticks())
            assert len(await Tick.objects.using(session).where(sym="A").fetch()) == 16
            assert len(await Tick.objects.using(session).to_dataframe()) == 40
            chunks = await session.query("SELECT * FROM profile_ticks", chunked=True, chunk_size=9)
            assert sum([len(c["results"][0]["series"][0]["values"]) async for c in chunks]) == 40
            await session.query("DROP MEASUREMENT profile_ticks")
        async with AsyncSession(f"{proxy.url}/influx/", database=influxdb_database) as session:
            assert await Tick.objects.using(session).count() == 0
    paths = [r.path for r in proxy.recorded]
    assert {"/influx/ping", "/influx/write", "/influx/query"} <= set(paths)
    assert all(path.startswith("/influx/") for path in paths), paths


def test_without_the_prefix_the_gateway_answers_404(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    # The proxy really serves only under its prefix: the test above would catch a drop.
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port, prefix="/influx") as proxy,
        Session(proxy.url, database=influxdb_database) as session,
        pytest.raises(orm.ServerError) as caught,
    ):
        session.ping()
    assert caught.value.status == 404


def test_cli_server_flag_and_environment(
    influxdb_server: InfluxDBServer,
    ticks_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "ticks.csv"
    with FaultProxy(influxdb_server.host, influxdb_server.port) as proxy:
        connection = ["--url", proxy.url, "--database", ticks_db]
        export = ["export", *connection, "-m", "profile_ticks", "-o", str(path)]
        assert main([*export, "--server", "influxdb3"]) == 0
        monkeypatch.setenv("INFLUXDB_SERVER", "influxdb3")
        assert main([*export, "--chunk-size", "7"]) == 0
        monkeypatch.setenv("INFLUXDB_SERVER", "influxdb9")
        assert main(export) == 1
    queries = _queries_of(proxy)
    assert len(queries) >= 2
    assert all("msgpack" not in (r.header("Accept") or "") for r in queries)
    assert not [r for r in proxy.recorded if r.path == "/ping"]
    assert len(path.read_text().splitlines()) == 41


def test_influxdb2_query_of_a_missing_database_names_dbrp_mappings(
    influxdb_server: InfluxDBServer,
) -> None:
    # 1.x and 2.x answer alike here: 200 with results[0].error "database not found: x"
    # (influxdata/ui#6633); on influxdb2 the error says where databases come from.
    with (
        Session(influxdb_server.url, database="no_such_db", server="influxdb2") as session,
        pytest.raises(orm.QueryError, match="database not found") as caught,
    ):
        Tick.objects.using(session).where(sym="A").fetch()
    assert "influx v1 dbrp create" in "\n".join(caught.value.__notes__)
    with (
        Session(influxdb_server.url, database="no_such_db", server="influxdb1") as session,
        pytest.raises(orm.QueryError) as plain,
    ):
        session.query("SELECT * FROM m")
    assert not getattr(plain.value, "__notes__", [])


def test_raw_params_are_refused_where_the_server_would_drop_them(
    influxdb_server: InfluxDBServer, ticks_db: str
) -> None:
    responder = _ping_as(*PING_ANSWERS["influxdb3"])
    statement = "SELECT * FROM profile_ticks WHERE sym = $s"
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port, responder=responder) as proxy,
        Session(proxy.url, database=ticks_db) as session,
    ):
        with pytest.raises(orm.UnsupportedByServerError, match="query pattern") as caught:
            session.query(statement, params={"s": "A"})
        assert caught.value.server == "influxdb3"
        session.set_query_pattern("by_sym", "SELECT * FROM profile_ticks WHERE sym = {s:str}")
        rows = session.query_pattern("by_sym", s="A")
    assert len(rows["results"][0]["series"][0]["values"]) == 16
    assert [r.path for r in proxy.recorded] == ["/ping", "/query"]
    with Session(influxdb_server.url, database=ticks_db) as session:  # 1.x binds them
        rows = session.query(statement, params={"s": "A"})
    assert len(rows["results"][0]["series"][0]["values"]) == 16


def test_a_gateway_without_ping_is_taken_as_1x_with_a_warning(
    influxdb_server: InfluxDBServer, ticks_db: str, caplog: pytest.LogCaptureFixture
) -> None:
    responder = _ping_as(404, [("Content-Type", "text/plain")], b"404 page not found\n")
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port, responder=responder) as proxy,
        Session(proxy.url, database=ticks_db) as session,
    ):
        assert len(Tick.objects.using(session).where(sym="A").fetch()) == 16
        assert len(Tick.objects.using(session).where(sym="B").fetch()) == 16
        assert session.server is not None
        assert session.server.name == "influxdb1"
    assert "pass server=" in caplog.text
    assert [r.path for r in proxy.recorded] == ["/ping", "/query", "/query"]


RAW_US = [
    'p3u,host=a\\ b,k=x v=1,s="with spaces 123 and \\" quote" 1704067200000001',
    'p3u,host=c v=2,s="line\nfeed 7" 1704067200000002',
    "# a comment 1 2 3",
    "p3u,host=d v=3 -5",
]


@pytest.mark.parametrize(("precision", "factor"), [("u", 1_000), ("m", 60_000_000_000)])
def test_influxdb3_converts_u_and_m_timestamps_to_ns(
    influxdb_server: InfluxDBServer, influxdb_database: str, precision: str, factor: int
) -> None:
    body = "\n".join(RAW_US)
    if precision == "m":
        body = body.replace("1704067200000001", "28401120").replace("1704067200000002", "28401121")
    with Session(influxdb_server.url, database=influxdb_database) as session:
        session.write(body, precision=precision)  # type: ignore[arg-type]
        expected = session.query("SELECT * FROM p3u", epoch="ns")
        session.query("DROP MEASUREMENT p3u")
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port) as proxy,
        Session(proxy.url, database=influxdb_database, server="influxdb3") as session,
    ):
        assert session.write(body, precision=precision) == 3  # type: ignore[arg-type]
        got = session.query("SELECT * FROM p3u", epoch="ns")
    assert got == expected
    times = [row[0] for row in got["results"][0]["series"][0]["values"]]
    assert times[0] == -5 * factor
    (write, _query) = proxy.recorded
    assert write.params["precision"] == ["ns"]
    assert write.body.count(str(-5 * factor).encode()) == 1


def test_influxdb3_refuses_a_timestamp_out_of_range_once_converted(
    influxdb_server: InfluxDBServer, influxdb_database: str
) -> None:
    with (
        FaultProxy(influxdb_server.host, influxdb_server.port) as proxy,
        Session(proxy.url, database=influxdb_database, server="influxdb3") as session,
        pytest.raises(orm.ValidationError, match="out of range"),
    ):
        session.write(["p3u v=1 1", "p3u v=2 9223372036854776"], precision="u")
    assert proxy.recorded == []
