"""Test helpers: a throwaway ``influxd`` (:class:`InfluxDBServer`) and pytest fixtures.

The fixtures live in :mod:`influxorm_pytest`, which pytest loads by itself once influxorm
is installed (entry point ``pytest11``). It is a separate top-level module so that loading
it imports nothing of influxorm until a test asks for a fixture.
"""

from influxorm.testing.server import InfluxDBServer, InfluxDBServerError

__all__ = ["InfluxDBServer", "InfluxDBServerError"]
