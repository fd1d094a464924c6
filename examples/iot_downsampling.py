"""IoT sensor readings, downsampled to hourly averages with GROUP BY time() and fill().

Run: ``python examples/iot_downsampling.py`` (starts a throwaway influxd unless
``INFLUXDB_URL`` is set). Sensor s3 is offline for two hours: its empty buckets come back
as null with ``fill=None``, and as the previous hour's value with ``fill="previous"``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from _support import END, START, Reading, influxdb_url, sample_readings

import influxorm as orm
from influxorm.query import Max, Mean, every


def hourly(fill: Any) -> Any:
    """Average and peak temperature per sensor and hour, over the sample's six hours."""
    return (
        Reading.objects.where(time__gte=START, time__lt=END)
        .aggregate(avg=Mean("temperature"), peak=Max("temperature"))
        .group_by("sensor", every("1h"), fill=fill)
    )


def show(result: Any) -> None:
    for series in result["results"][0]["series"]:
        print(f"sensor {series['tags']['sensor']}:")
        for time, avg, peak in series["values"]:
            avg_text = "-" if avg is None else f"{avg:.3f}"
            peak_text = "-" if peak is None else f"{peak:.2f}"
            print(f"  {time}  avg {avg_text:>7}  peak {peak_text:>6}")


async def main() -> None:
    with influxdb_url() as url:
        async with orm.AsyncSession(url, database="iot") as session:
            await session.create_database()
            written = await session.write(sample_readings())
            print(f"wrote {written} readings")
            for fill in (None, "previous"):
                query = hourly(fill)
                print(f"\nfill={fill!r}: {query.influxql}")
                show(await session.query(query.influxql, params=query.params, epoch=None))


if __name__ == "__main__":
    asyncio.run(main())
