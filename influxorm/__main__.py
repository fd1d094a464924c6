"""``python -m influxorm``: the ``influxorm`` command line."""

import sys

from influxorm.cli import main

if __name__ == "__main__":
    sys.exit(main())
