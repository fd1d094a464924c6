"""influxorm results."""
