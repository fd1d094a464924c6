"""DataFrame -> line protocol for 1,000,000 rows: influxorm vs influxdb-client's serializer.

Run with the bench venv (it holds the other clients; influxorm is imported from the repo):
    python3 -m venv .bench-venv && .bench-venv/bin/pip install influxdb-client pandas pyarrow attrs
    .bench-venv/bin/python benchmarks/dataframes.py
Query -> DataFrame comparisons (aioinflux, DataFrameClient, peak memory per subprocess)
are not written yet.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from influxorm.results._frame_ops import ArrowOps, NumpyOps
from influxorm.results.frame_writer import encode_dataframe

ROWS = 1_000_000


def make_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "f": rng.random(ROWS) * 100,
            "g": rng.random(ROWS),
            "i": rng.integers(0, 10**6, ROWS),
            "tag": np.array(["AAPL", "MSFT", "GOOG"])[rng.integers(0, 3, ROWS)],
        },
        index=pd.date_range("2024-01-01", periods=ROWS, freq="ms", unit="ns"),
    )


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    df = make_frame()
    results = {
        "influxorm (arrow)": timed(
            lambda: encode_dataframe(df, measurement="m", tag_columns=["tag"], ops=ArrowOps())
        ),
        "influxorm (numpy)": timed(
            lambda: encode_dataframe(df, measurement="m", tag_columns=["tag"], ops=NumpyOps())
        ),
    }
    try:
        from influxdb_client.client.write.dataframe_serializer import DataframeSerializer
        from influxdb_client.client.write_api import PointSettings
    except ImportError:
        pass
    else:
        serializer = DataframeSerializer(
            df,
            PointSettings(),
            data_frame_measurement_name="m",
            data_frame_tag_columns=["tag"],
            chunk_size=ROWS,
        )
        results["influxdb-client DataframeSerializer"] = timed(lambda: serializer.serialize(0))
    base = results.get("influxdb-client DataframeSerializer")
    print(f"{'DataFrame -> line protocol, 1M rows':40} {'seconds':>8} {'speed-up':>9}")
    for name, seconds in results.items():
        ratio = f"{base / seconds:8.1f}x" if base else ""
        print(f"{name:40} {seconds:8.2f} {ratio:>9}")


if __name__ == "__main__":
    main()
