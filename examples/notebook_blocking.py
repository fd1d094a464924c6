"""A blocking Session where an event loop is already running, as in a Jupyter notebook.

Jupyter runs every cell inside a running asyncio loop, where libraries that call
``loop.run_until_complete`` fail with "This event loop is already running".
``orm.Session`` runs its requests on a private loop in a thread of its own, so plain
blocking calls work in a cell. This script reproduces that: the cell body runs inside
``asyncio.run``.

Run: ``python examples/notebook_blocking.py`` (``INFLUXDB_URL`` or a throwaway server).
"""

from __future__ import annotations

import asyncio

from _support import influxdb_url, sample_readings

import influxorm as orm


def cell(url: str) -> None:
    """What a notebook cell would hold: blocking calls, no await."""
    with orm.Session(url, database="notebook") as session:
        session.create_database()
        print(f"wrote {session.write(sample_readings())} readings")
        frame = session.query(
            'SELECT mean("temperature") AS avg_temperature FROM "readings" GROUP BY "sensor"',
            output="dataframe",
        )
        print(frame.set_index("sensor").to_string())


async def notebook_kernel(url: str) -> None:
    loop = asyncio.get_running_loop()
    print(f"inside a running event loop: {loop.is_running()}")
    cell(url)


def main() -> None:
    with influxdb_url() as url:
        asyncio.run(notebook_kernel(url))


if __name__ == "__main__":
    main()
