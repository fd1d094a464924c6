"""influxorm models."""
