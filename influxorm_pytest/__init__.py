"""pytest fixtures backed by a throwaway ``influxd``; loaded automatically by pytest.

Installing influxorm registers this module as a pytest plugin (entry point ``pytest11``),
so a test suite only has to ask for the fixtures. Every name starts with ``influxdb_`` so
that it cannot clash with a project's own fixtures:

``influxdb_server``
    One :class:`~influxorm.testing.InfluxDBServer` for the whole test session.
``influxdb_url``
    Its URL, ``http://127.0.0.1:<port>``.
``influxdb_database``
    A fresh database name for one test, created before it and dropped after it.
``influxdb_session``
    A blocking :class:`~influxorm.session.Session` bound to ``influxdb_database``, current
    inside the test.
``influxdb_async_session``
    An :class:`~influxorm.session.AsyncSession` bound to ``influxdb_database`` (needs
    pytest-asyncio; see ``asyncio_mode`` in the testing guide).

Loading the plugin costs nothing: this module imports only pytest at import time, and
influxorm itself (and ``influxd``) only when a test asks for one of the fixtures.

``influxd`` must be on ``PATH``. A project can override ``influxdb_server`` in its
``conftest.py`` to start the server with other options, e.g.
``InfluxDBServer(extra_config={"http": {"max-row-limit": 1000}})``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from influxorm.session import AsyncSession, Session
    from influxorm.testing.server import InfluxDBServer

__all__ = [
    "influxdb_async_session",
    "influxdb_database",
    "influxdb_server",
    "influxdb_session",
    "influxdb_url",
]


@pytest.fixture(scope="session")
def influxdb_server() -> Iterator[InfluxDBServer]:
    """A throwaway influxd shared by the whole test session; removed at its end."""
    from influxorm.testing.server import InfluxDBServer

    with InfluxDBServer() as server:
        yield server


@pytest.fixture
def influxdb_url(influxdb_server: InfluxDBServer) -> str:
    """The throwaway server's URL."""
    return influxdb_server.url


@pytest.fixture
def influxdb_database(influxdb_server: InfluxDBServer) -> Iterator[str]:
    """A unique database name, created before the test and dropped after it."""
    from influxorm.query import statements

    name = f"test_{uuid.uuid4().hex[:12]}"
    influxdb_server.execute(statements.create_database(name))
    yield name
    influxdb_server.execute(statements.drop_database(name))


@pytest.fixture
def influxdb_session(influxdb_server: InfluxDBServer, influxdb_database: str) -> Iterator[Session]:
    """A blocking Session on ``influxdb_database``, current for the test."""
    from influxorm.session import Session

    with Session(
        influxdb_server.url,
        database=influxdb_database,
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
    async def influxdb_async_session(
        influxdb_server: InfluxDBServer, influxdb_database: str
    ) -> AsyncIterator[AsyncSession]:
        """An AsyncSession on ``influxdb_database``, closed after the test."""
        from influxorm.session import AsyncSession

        async with AsyncSession(
            influxdb_server.url,
            database=influxdb_database,
            username=influxdb_server.username,
            password=influxdb_server.password,
        ) as async_:
            yield async_
