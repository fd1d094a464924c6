"""pytest fixtures backed by a throwaway ``influxd``; loaded automatically by pytest.

Installing influxorm registers this module as a pytest plugin (entry point
``pytest11``), so a test suite only has to ask for the fixtures:

``influxdb_server``
    One :class:`~influxorm.testing.InfluxDBServer` for the whole test session.
``influxdb_url``
    Its URL, ``http://127.0.0.1:<port>``.
``database``
    A fresh database name for one test, created before it and dropped after it.
``session``
    A blocking :class:`~influxorm.session.Session` bound to ``database`` and current
    inside the test.
``async_session``
    An :class:`~influxorm.session.AsyncSession` bound to ``database`` (needs
    pytest-asyncio).

``influxd`` must be on ``PATH``. A project can override ``influxdb_server`` in its
``conftest.py`` to start the server with other options, e.g.
``InfluxDBServer(extra_config={"http": {"max-row-limit": 1000}})``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from influxorm.query import statements
from influxorm.session import AsyncSession, Session
from influxorm.testing.server import InfluxDBServer

__all__ = ["async_session", "database", "influxdb_server", "influxdb_url", "session"]


@pytest.fixture(scope="session")
def influxdb_server() -> Iterator[InfluxDBServer]:
    """A throwaway influxd shared by the whole test session; removed at its end."""
    with InfluxDBServer() as server:
        yield server


@pytest.fixture
def influxdb_url(influxdb_server: InfluxDBServer) -> str:
    """The throwaway server's URL."""
    return influxdb_server.url


@pytest.fixture
def database(influxdb_server: InfluxDBServer) -> Iterator[str]:
    """A unique database name, created before the test and dropped after it."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    influxdb_server.execute(statements.create_database(name))
    yield name
    influxdb_server.execute(statements.drop_database(name))


@pytest.fixture
def session(influxdb_server: InfluxDBServer, database: str) -> Iterator[Session]:
    """A blocking Session on ``database``, current for the test."""
    with Session(
        influxdb_server.url,
        database=database,
        username=influxdb_server.username,
        password=influxdb_server.password,
    ) as blocking:
        yield blocking


try:
    import pytest_asyncio
except ImportError:  # pragma: no cover -- the async fixture needs pytest-asyncio
    pass
else:

    @pytest_asyncio.fixture
    async def async_session(
        influxdb_server: InfluxDBServer, database: str
    ) -> AsyncIterator[AsyncSession]:
        """An AsyncSession on ``database``, closed after the test."""
        async with AsyncSession(
            influxdb_server.url,
            database=database,
            username=influxdb_server.username,
            password=influxdb_server.password,
        ) as async_:
            yield async_
