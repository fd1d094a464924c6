"""Shared by the examples: a server to run against.

Every example runs against ``INFLUXDB_URL`` when it is set, else starts a throwaway
influxd of its own (removed when the example ends), so ``python examples/<name>.py``
needs nothing but ``influxd`` on PATH. Also the model and sample data they share.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import influxorm as orm
from influxorm.testing import InfluxDBServer


@contextmanager
def influxdb_url() -> Iterator[str]:
    """``INFLUXDB_URL``, or the URL of a throwaway server for the duration of the block."""
    url = os.environ.get("INFLUXDB_URL")
    if url:
        yield url
        return
    with InfluxDBServer() as server:
        yield server.url


class Reading(orm.Measurement, name="readings"):
    """One reading of an IoT sensor."""

    time: datetime = orm.time()
    sensor: str = orm.tag()
    site: str = orm.tag()
    temperature: float = orm.field()
    humidity: float | None = orm.field(default=None)


START = datetime(2024, 3, 1, tzinfo=UTC)
END = START + timedelta(hours=6)


def sample_readings(every_minutes: int = 10) -> list[Reading]:
    """Readings of three sensors; ``s3`` is offline for hours 2 and 3 (a gap to fill)."""
    readings = []
    for step in range((END - START) // timedelta(minutes=every_minutes)):
        at = START + timedelta(minutes=step * every_minutes)
        for index, sensor in enumerate(("s1", "s2", "s3")):
            if sensor == "s3" and 2 <= at.hour < 4:
                continue
            readings.append(
                Reading(
                    time=at,
                    sensor=sensor,
                    site="lab" if index < 2 else "roof",
                    temperature=round(18.0 + index + 0.05 * step, 2),
                    humidity=None if step % 4 == 3 else 40.0 + index,
                )
            )
    return readings
