"""Fixtures of the aioinflux compatibility tests: a blocking-mode client on the suite's
throwaway influxd, with its own database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from influxorm.aioinflux import InfluxDBClient
from influxorm.testing import InfluxDBServer


@pytest.fixture
def client(influxdb_server: InfluxDBServer, influxdb_database: str) -> Iterator[InfluxDBClient]:
    c = InfluxDBClient(
        influxdb_server.host, influxdb_server.port, db=influxdb_database, mode="blocking"
    )
    yield c
    c.mode = "blocking"
    c.close()
