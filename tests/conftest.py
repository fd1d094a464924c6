"""Shared test setup.

The server fixtures (``influxdb_server``, ``influxdb_url``, ``influxdb_database``,
``influxdb_session``, ``influxdb_async_session``) come from influxorm's own pytest plugin,
:mod:`influxorm_pytest`, which pytest loads through its entry point.
"""
