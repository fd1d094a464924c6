"""influxorm: typed measurement models, an injection-proof query builder and sessions for InfluxDB."""
