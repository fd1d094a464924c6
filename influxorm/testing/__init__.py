"""influxorm testing."""
