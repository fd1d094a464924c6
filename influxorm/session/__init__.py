"""influxorm session."""
