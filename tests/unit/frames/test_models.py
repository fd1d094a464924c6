"""Model-schema-driven DataFrame writes and typed reads (no server)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support.frame_models import Fill, Level, Marker, Side

from influxorm.exceptions import ValidationError
from influxorm.frames import encode_model_dataframe, model_frame
from influxorm.frames.models import frame_from_response_for_model
from influxorm.results import response_to_frames

TIMES = pd.DatetimeIndex(["2024-01-01T00:00:00.000000001", "2024-01-01T00:00:01"], tz="UTC")


def fills() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "instrument": ["A B", "C"],
            "side": [Side.BUY, "SELL"],
            "price": [1.5, 2.0],
            "size": [3, 4],
            "qty": [5.0, np.nan],
            "ok": [True, None],
            "level": [Level.HIGH, None],
            "note": ['say "x"', None],
        },
        index=TIMES,
    )


def text(df: pd.DataFrame, model: type) -> list[str]:
    return b"\n".join(encode_model_dataframe(model, df).batches).decode().split("\n")


def test_model_frame_is_written_with_the_models_names_tags_and_types() -> None:
    assert text(fills(), Fill) == [
        "fills,desk=eq\\ 1,instrument=A\\ B,side=BUY price=1.5,size=3i,qty=5i,ok=t,level=2i,"
        'memo="say \\"x\\"" 1704067200000000001',
        "fills,desk=eq\\ 1,instrument=C,side=SELL price=2,size=4i 1704067201000000000",
    ]


def test_time_column_and_fieldless_model() -> None:
    df = pd.DataFrame({"time": [5, 6], "host": ["a", "b"]})
    assert text(df, Marker) == [
        "markers,host=a _placeholder=t 5",
        "markers,host=b _placeholder=t 6",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"extra": [1, 2]}, "not attributes"),
        ({"size": [1.0, np.nan]}, "not declared optional"),
        ({"side": ["BUY", "HOLD"]}, "Side members or their values"),
        ({"qty": [1.5, 2.0]}, "declared int"),
        ({"ok": ["yes", None]}, "declared bool"),
    ],
)
def test_bad_model_frames_name_the_model(change: dict[str, object], message: str) -> None:
    df = fills().assign(**change)
    with pytest.raises(ValidationError, match=f"Fill.*{message}|{message}"):
        encode_model_dataframe(Fill, df)
    with pytest.raises(ValidationError, match="no column 'price'"):
        encode_model_dataframe(Fill, fills().drop(columns="price"))


def test_read_back_dtypes_follow_the_declared_types() -> None:
    body = {
        "results": [
            {
                "statement_id": 0,
                "series": [
                    {
                        "name": "fills",
                        "columns": [
                            "time",
                            "desk",
                            "instrument",
                            "level",
                            "memo",
                            "ok",
                            "price",
                            "qty",
                            "side",
                            "size",
                            "other",
                        ],
                        "values": [
                            [1, "eq 1", "A", 2, "x", True, 1, 5, "BUY", 3, 0.5],
                            [2, "eq 1", "B", None, None, None, 2.5, None, "SELL", 4, 1.5],
                        ],
                    }
                ],
            }
        ]
    }
    df = frame_from_response_for_model(Fill, body)
    assert df.index.name == "time"
    assert list(df.columns) == [
        "instrument",
        "level",
        "note",
        "ok",
        "price",
        "qty",
        "side",
        "size",
        "other",
    ]
    assert {c: str(t) for c, t in df.dtypes.items()} == {
        "instrument": "str",
        "level": "category",
        "note": "str",
        "ok": "boolean",
        "price": "float64",
        "qty": "Int64",
        "side": "category",
        "size": "int64",
        "other": "float64",
    }
    assert list(df["side"]) == [Side.BUY, Side.SELL]
    assert list(df["side"].cat.categories) == [Side.BUY, Side.SELL]
    assert df["level"].iloc[0] is Level.HIGH
    assert pd.isna(df["level"].iloc[1])
    assert list(df["price"]) == [1.0, 2.5]
    assert (df["side"] == Side.BUY).tolist() == [True, False]
    same = model_frame(Fill, response_to_frames(body)[0])  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(df, same)
