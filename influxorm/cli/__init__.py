"""The ``influxorm`` command line: ``ping``, ``demo``, ``inspect``, ``export``, ``import``.

Run ``influxorm --help`` (or ``python -m influxorm --help``).
"""

from influxorm.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
