"""A bad argument to ``session.query`` is a ValidationError naming it; nothing is sent."""

from __future__ import annotations

import asyncio

import pytest

import influxorm as orm
from influxorm.testing import InfluxDBServer


@pytest.mark.parametrize("chunked", [True, False])
def test_a_chunk_size_given_as_text_is_a_validation_error(
    influxdb_server: InfluxDBServer, chunked: bool
) -> None:
    with orm.Session(
        influxdb_server.url,
        username=influxdb_server.username,
        password=influxdb_server.password,
    ) as session:
        with pytest.raises(
            orm.ValidationError, match="chunk_size must be a positive int, not '100'"
        ):
            session.query("SHOW DATABASES", chunked=chunked, chunk_size="100")  # type: ignore[call-overload]
        # A good one still works on the same session.
        chunks = session.query("SHOW DATABASES", chunked=True, chunk_size=100)
        assert [chunk["results"][0]["series"][0]["name"] for chunk in chunks] == ["databases"]


def test_async_session_refuses_it_too(influxdb_server: InfluxDBServer) -> None:
    async def main() -> None:
        async with orm.AsyncSession(
            influxdb_server.url,
            username=influxdb_server.username,
            password=influxdb_server.password,
        ) as session:
            with pytest.raises(orm.ValidationError, match="not '100'"):
                await session.query("SHOW DATABASES", chunked=True, chunk_size="100")  # type: ignore[call-overload]

    asyncio.run(main())
