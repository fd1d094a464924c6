"""Reading results back in the aioinflux compatibility tests."""

from __future__ import annotations

from typing import Any

from influxorm.aioinflux import InfluxDBClient


def series(client: InfluxDBClient, q: str) -> list[dict[str, Any]]:
    """The series of the first statement of ``q`` (``[]`` when it has none)."""
    output, client.output = client.output, "json"
    try:
        return list(client.query(q)["results"][0].get("series", []))
    finally:
        client.output = output


def values(client: InfluxDBClient, q: str) -> list[list[Any]]:
    """Every row of the first statement of ``q``."""
    return [row for s in series(client, q) for row in s["values"]]
