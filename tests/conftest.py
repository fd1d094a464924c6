"""Shared test setup.

The server fixtures (``influxdb_server``, ``influxdb_url``, ``database``, ``session``,
``async_session``) come from influxorm's own pytest plugin,
:mod:`influxorm.testing.pytest_plugin`, which pytest loads through its entry point.
"""
