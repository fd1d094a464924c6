"""Plot queried readings to a PNG with matplotlib.

Run: ``python examples/plot_png.py [OUTPUT.png]`` (default ``temperature.png``); needs
matplotlib (``pip install 'influxorm[plot]'``) and exits with a message without it.
``INFLUXDB_URL`` picks a server; otherwise a throwaway one is started.
"""

from __future__ import annotations

import sys
from pathlib import Path

from _support import END, START, influxdb_url, sample_readings

import influxorm as orm
from influxorm.timeutil import ns_to_rfc3339, to_ns


def main(output: Path) -> int:
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        print("this example needs matplotlib: pip install 'influxorm[plot]'")
        return 0

    with influxdb_url() as url, orm.Session(url, database="plots") as session:
        session.create_database()
        session.write(sample_readings())
        frame = session.query(
            'SELECT mean("temperature") AS temperature FROM "readings" '
            "WHERE time >= $start AND time < $end "
            'GROUP BY "sensor", time(30m) fill(none)',
            params={"start": ns_to_rfc3339(to_ns(START)), "end": ns_to_rfc3339(to_ns(END))},
            output="dataframe",
        )

    figure, axes = plt.subplots(figsize=(8, 4))
    for sensor, readings in frame.groupby("sensor"):
        axes.plot(readings.index, readings["temperature"], marker="o", label=str(sensor))
    axes.set_title("Temperature per sensor (30-minute means)")
    axes.set_ylabel("°C")
    axes.legend()
    figure.autofmt_xdate()
    figure.savefig(output, dpi=100)
    plt.close(figure)
    print(f"plotted {len(frame)} points of {frame['sensor'].nunique()} sensors to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "temperature.png")))
