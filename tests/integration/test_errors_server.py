"""Every write error shape of INFLUXDB_NOTES.md, produced by a real influxd and mapped to
its exception with the lines and counts the server reported."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from influxorm.exceptions import (
    AuthenticationError,
    DatabaseNotFoundError,
    FieldTypeConflictError,
    LineProtocolError,
    PartialFieldTypeConflictError,
    PartialWriteError,
    QueryError,
    RequestTooLargeError,
    RetentionPolicyNotFoundError,
    WriteError,
)
from influxorm.session import NO_RETRY, Session
from influxorm.testing import InfluxDBServer


@pytest.fixture(scope="module")
def limited() -> Iterator[InfluxDBServer]:
    config = {
        "data": {"max-series-per-database": 20, "max-values-per-tag": 3},
    }
    with InfluxDBServer(extra_config=config) as server:
        yield server


@pytest.fixture
def db(limited: InfluxDBServer) -> Iterator[Session]:
    name = f"e_{uuid.uuid4().hex[:8]}"
    limited.execute(f'CREATE DATABASE "{name}"')
    with Session(limited.url, database=name, retry=NO_RETRY) as session:
        yield session


def _count(session: Session, measurement: str) -> int:
    result = session.query(f'SELECT COUNT(*) FROM "{measurement}"')
    series = result["results"][0].get("series")
    return int(series[0]["values"][0][1]) if series else 0


def test_unparsable_only_nothing_written(db: Session) -> None:
    with pytest.raises(LineProtocolError) as caught:
        db.write("garbage")
    assert caught.value.rejected_lines == ("garbage",)
    assert caught.value.written is False
    assert caught.value.status == 400


def test_unparsable_lines_with_good_ones_are_a_partial_write(db: Session) -> None:
    with pytest.raises(PartialWriteError) as caught:
        db.write("m v=1 1\nbad line here\nm v=2 2\nalso bad")
    error = caught.value
    assert error.rejected_lines == ("bad line here", "also bad")
    assert error.dropped == 0
    assert error.written is True
    assert error.points == 4
    assert _count(db, "m") == 2  # the rest WAS written


def test_field_type_conflict_partial(db: Session) -> None:
    db.write("c v=1i 1")
    with pytest.raises(PartialFieldTypeConflictError) as caught:
        db.write("c v=1.5 2\nc v=2i 3\nc v=2.5 4")
    assert caught.value.dropped == 2
    assert isinstance(caught.value, FieldTypeConflictError)
    assert caught.value.written is True
    assert _count(db, "c") == 2


def test_field_type_conflict_whole_batch(db: Session) -> None:
    with pytest.raises(FieldTypeConflictError) as caught:
        db.write("n v=1i 2\nn v=1.5 3")
    assert not isinstance(caught.value, PartialWriteError)
    assert caught.value.written is False
    assert caught.value.server_message == "field type conflict"
    assert _count(db, "n") == 0


def test_database_not_found(db: Session) -> None:
    with pytest.raises(DatabaseNotFoundError) as caught:
        db.write("m v=1 1", db="nope")
    assert caught.value.status == 404
    assert 'database not found: "nope"' in str(caught.value)


def test_retention_policy_not_found_is_not_retried(limited: InfluxDBServer) -> None:
    with Session(limited.url, database="e") as session:  # default retries on
        session.create_database()
        with pytest.raises(RetentionPolicyNotFoundError) as caught:
            session.write("m v=1 1", rp="nope")
    assert caught.value.status == 500
    assert not any("attempts" in note for note in getattr(caught.value, "__notes__", []))


def test_points_beyond_retention(db: Session) -> None:
    db.create_retention_policy("short", duration="1h")
    with pytest.raises(PartialWriteError) as caught:
        db.write("m v=1 1\nm v=2 2", rp="short")
    assert caught.value.dropped == 2
    assert caught.value.reason == "points beyond retention policy"
    # The server says "partial write", but it dropped every point: nothing was written.
    assert caught.value.written is False
    assert caught.value.refused_all
    assert "nothing written" in str(caught.value)
    assert "wrote the others" not in str(caught.value)
    assert _count(db, "m") == 0


def test_some_points_beyond_retention_the_rest_written(db: Session) -> None:
    db.create_retention_policy("short", duration="1h")
    now = time.time_ns()
    with pytest.raises(PartialWriteError) as caught:
        db.write(f"r v=1 1\nr v=2 {now}\nr v=3 2", rp="short")
    assert caught.value.dropped == 2
    assert caught.value.written is True
    assert "refused 2 and wrote the others" in str(caught.value)
    result = db.query('SELECT COUNT(v) FROM "short"."r"')
    assert result["results"][0]["series"][0]["values"][0][1] == 1


def test_field_type_conflict_on_every_point_writes_nothing(db: Session) -> None:
    db.write("k v=1i 1")
    with pytest.raises(PartialFieldTypeConflictError) as caught:
        db.write("k v=1.5 2\nk v=2.5 3")
    assert caught.value.dropped == 2 == caught.value.points
    assert caught.value.written is False
    assert "nothing written" in str(caught.value)
    assert _count(db, "k") == 1


def test_max_series_per_database(db: Session) -> None:
    lines = "\n".join(f"s,t={i} v=1 1" for i in range(25))
    with pytest.raises(PartialWriteError) as caught:
        db.write(lines)
    assert caught.value.reason.startswith("max-series-per-database limit exceeded")
    assert caught.value.dropped == 25  # 1.6 drops the whole batch that crosses the limit
    assert caught.value.written is False
    assert _count(db, "s") == 0


def test_max_values_per_tag(db: Session) -> None:
    db.write("x,k=1 v=1 1\nx,k=2 v=1 1\nx,k=3 v=1 1")
    with pytest.raises(PartialWriteError) as caught:
        db.write("x,k=4 v=1 1\nx,k=5 v=1 1")
    assert "max-values-per-tag limit exceeded" in caught.value.reason
    assert caught.value.dropped == 2


@pytest.fixture(scope="module")
def small_bodies() -> Iterator[Session]:
    with InfluxDBServer(extra_config={"http": {"max-body-size": 2000}}) as server:
        server.execute('CREATE DATABASE "b"')
        with Session(server.url, database="b", retry=NO_RETRY) as session:
            yield session


def test_413_is_split_and_resent(small_bodies: Session) -> None:
    lines = [f"big,k=a v={i}i {i}" for i in range(400)]  # ~8 KB, limit 2000 bytes
    assert small_bodies.write("\n".join(lines)) == 400
    assert _count(small_bodies, "big") == 400


def test_413_for_one_line_cannot_be_split(small_bodies: Session) -> None:
    with pytest.raises(RequestTooLargeError) as caught:
        small_bodies.write(f'one s="{"x" * 3000}" 1')
    assert caught.value.status == 413
    assert isinstance(caught.value, WriteError)


def test_read_only_user_writing_is_refused() -> None:
    with InfluxDBServer(auth_enabled=True) as server:
        server.execute('CREATE DATABASE "d"')
        server.execute("CREATE USER ro WITH PASSWORD 'pw'")
        server.execute('GRANT READ ON "d" TO ro')
        with Session(server.url, database="d", username="ro", password="pw") as ro:
            with pytest.raises(AuthenticationError) as caught:
                ro.write("m v=1 1")
            assert caught.value.status == 403
            assert "not authorized to write" in caught.value.server_message
            with pytest.raises(AuthenticationError):
                ro.drop_database("d")


def test_query_errors_inside_a_200(db: Session) -> None:
    with pytest.raises(QueryError, match="database not found"):
        db.query("SELECT * FROM m", db="nope")
