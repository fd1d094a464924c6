"""Test helpers: a throwaway ``influxd`` (:class:`InfluxDBServer`) and pytest fixtures.

The fixtures live in :mod:`influxorm.testing.pytest_plugin`, which pytest loads by itself
once influxorm is installed (entry point ``pytest11``).
"""

from influxorm.testing.server import InfluxDBServer, InfluxDBServerError

__all__ = ["InfluxDBServer", "InfluxDBServerError"]
