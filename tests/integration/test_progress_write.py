"""A write reporting to ``tqdm_progress(total=N)`` completes (it used to abort at the first
report with "got multiple values for keyword argument 'total'")."""

from __future__ import annotations

import io
import uuid

import pytest

import influxorm as orm
from influxorm.progress import tqdm_progress
from influxorm.testing import InfluxDBServer

pytest.importorskip("tqdm")


class Tick(orm.Measurement, name="ticks"):
    time: int = orm.time()
    v: int = orm.field()


def test_a_write_with_a_tqdm_bar_given_its_total(influxdb_server: InfluxDBServer) -> None:
    name = f"pg_{uuid.uuid4().hex[:8]}"
    stream = io.StringIO()
    with orm.Session(
        influxdb_server.url,
        database=name,
        username=influxdb_server.username,
        password=influxdb_server.password,
        batch_size=100,
    ) as session:
        session.create_database()
        try:
            with tqdm_progress(total=1_000, file=stream, mininterval=0) as bar:
                written = session.write((Tick(time=i + 1, v=i) for i in range(1_000)), progress=bar)
                assert (bar._bar.n, bar._bar.total) == (1_000, 1_000)
            assert written == 1_000
            result = session.query('SELECT COUNT("v") FROM "ticks"')
            assert result["results"][0]["series"][0]["values"][0][1] == 1_000
            assert "1.00k/1.00k" in stream.getvalue()
        finally:
            session.drop_database()
