"""influxorm query."""
