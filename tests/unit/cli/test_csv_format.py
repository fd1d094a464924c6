"""CSV files of points: typed headers, exact values and times, inference, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from influxorm.cli.columns import TypedColumn, infer_kind, parse_header, parse_text, text_of
from influxorm.cli.formats import CsvSink, CsvSource, csv_record, format_of, quoted_cells
from influxorm.cli.importing import encode_rows
from influxorm.cli.options import CliError

COLUMNS = [
    TypedColumn("host name", "tag"),
    TypedColumn("v", "tag"),
    TypedColumn("ok", "boolean"),
    TypedColumn("count", "integer"),
    TypedColumn("note", "string"),
    TypedColumn("v", "float"),
]
ROWS: list[tuple[int, list[object]]] = [
    (1_704_205_800_123_456_789, ["a,b", "x", True, -(2**63), 'say "hi"\nbye', 0.1]),
    (-1, [None, None, False, 2**63 - 1, "", 1.0]),
    (0, ["z", None, None, None, None, 1e-300]),
    (5, [None, None, None, 7, ",;:", None]),
]


def _read_all(path: Path) -> list[list[tuple[int, list[object]]]]:
    source = CsvSource(path)
    try:
        return list(source.batches(10))
    finally:
        source.close()


def test_round_trip_keeps_types_values_and_nanoseconds(tmp_path: Path) -> None:
    path = tmp_path / "points.csv"
    sink = CsvSink(path, COLUMNS)
    sink.write_rows(ROWS[:2])
    sink.write_rows(ROWS[2:])
    sink.close()
    assert path.read_text().splitlines()[0] == (
        "time,host name:tag,v:tag,ok:boolean,count:integer,note:string,v:float"
    )
    source = CsvSource(path)
    batches = list(source.batches(3))
    source.close()
    assert [len(b) for b in batches] == [3, 1]
    assert source.columns == COLUMNS
    read = [row for batch in batches for row in batch]
    # The empty string of a string field reads back as "", missing values as None.
    expected = ROWS
    assert read == expected
    read_types = [[type(v) for v in values] for _, values in read]
    assert read_types == [[type(v) for v in values] for _, values in expected]


def test_plain_csv_kinds_come_from_tag_columns_and_inference(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text(
        "time,sensor,temp,count,ok,label\n"
        "2024-01-01T00:00:00Z,s1,20,3,true,a\n"
        "2024-01-01T00:00:01.5Z,s2,20.5,,FALSE,7\n"
        "1704067202000000000,s1,21,4,t,\n"
    )
    source = CsvSource(path, tag_columns=["sensor"])
    (batch,) = source.batches(100)
    source.close()
    assert source.columns == [
        TypedColumn("sensor", "tag"),
        TypedColumn("temp", "float"),
        TypedColumn("count", "integer"),
        TypedColumn("ok", "boolean"),
        TypedColumn("label", "string"),
    ]
    assert batch == [
        (1_704_067_200_000_000_000, ["s1", 20.0, 3, True, "a"]),
        (1_704_067_201_500_000_000, ["s2", 20.5, None, False, "7"]),
        (1_704_067_202_000_000_000, ["s1", 21.0, 4, True, None]),
    ]
    lines, skipped = encode_rows("room", source.columns, batch)
    assert skipped == 0
    assert lines[1] == 'room,sensor=s2 temp=20.5,ok=false,label="7" 1704067201500000000'


def test_bad_cell_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("time,n:integer\n1,5\n2,5.5\n")
    source = CsvSource(path)
    with pytest.raises(CliError, match=r"bad\.csv:3: column 'n': not an integer: '5\.5'"):
        list(source.batches(10))
    source.close()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("a,b\n", "exactly one 'time' column"),
        ("time,a\n1,2,3\n", "3 cells, the header has 2"),
    ],
)
def test_malformed_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "f.csv"
    path.write_text(text)
    with pytest.raises(CliError, match=message):
        _read_all(path)


def test_unknown_tag_column(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("time,a\n1,2\n")
    with pytest.raises(CliError, match=r"--tag-columns: \['b'\]"):
        CsvSource(path, tag_columns=["b"])


def test_rows_without_fields_are_skipped() -> None:
    lines, skipped = encode_rows(
        "m",
        [TypedColumn("t", "tag"), TypedColumn("f", "float")],
        [(1, ["a", None]), (2, ["a", 1.5])],
    )
    assert (lines, skipped) == (["m,t=a f=1.5 2"], 1)


@pytest.mark.parametrize(
    ("samples", "kind"),
    [
        (["1", "-2", ""], "integer"),
        (["1", "2.5"], "float"),
        (["true", "F"], "boolean"),
        (["1", "x"], "string"),
        (["true", "1"], "string"),
        (["nan"], "string"),
        ([""], "string"),
    ],
)
def test_infer_kind(samples: list[str], kind: str) -> None:
    assert infer_kind(samples) == kind


def test_text_and_header_helpers() -> None:
    assert [text_of(v) for v in (None, True, False, 0.1, 3, "s", "")] == [
        None,
        "true",
        "false",
        "0.1",
        "3",
        "s",
        "",
    ]
    assert parse_header("a:b:float") == ("a:b", "float")
    assert parse_header("a:weird") == ("a:weird", None)
    assert parse_header(":tag") == (":tag", None)
    assert parse_text("inf", "string") == "inf"
    with pytest.raises(ValueError, match="finite"):
        parse_text("inf", "float")


@pytest.mark.parametrize(
    ("name", "given", "expected"),
    [
        ("a.csv", None, "csv"),
        ("a.parquet", None, "parquet"),
        ("a.pq", None, "parquet"),
        ("a.txt", "csv", "csv"),
    ],
)
def test_format_of(name: str, given: str | None, expected: str) -> None:
    assert format_of(Path(name), given) == expected


def test_format_of_unknown_suffix() -> None:
    with pytest.raises(CliError, match="give --format"):
        format_of(Path("a.txt"), None)


def test_empty_string_and_missing_are_different_cells() -> None:
    assert csv_record(["t", None, "", "a,b", 'q"', "x\ny"]) == 't,,"","a,b","q""","x\ny"\r\n'
    assert quoted_cells('t,,"","a,""b",x\r\n') == [False, False, True, True, False]
    assert quoted_cells('t,"a"b') is None


def test_quoted_empty_cells_of_a_plain_csv(tmp_path: Path) -> None:
    # From elsewhere (every cell quoted): "" is a missing number but an empty string.
    path = tmp_path / "quoted.csv"
    path.write_text(
        '"time","site","temp","note"\n'
        '"2024-01-01T00:00:00Z","lab","21.5","a"\n'
        '"2024-01-01T00:00:01Z","","",""\n'
        "2024-01-01T00:00:02Z,lab,,\n"
    )
    source = CsvSource(path, ["site"])
    try:
        rows = [row for batch in source.batches(10) for row in batch]
    finally:
        source.close()
    assert [values for _, values in rows] == [
        ["lab", 21.5, "a"],
        [None, None, ""],
        ["lab", None, None],
    ]


@given(
    st.lists(
        st.tuples(
            st.none() | st.text(st.characters(exclude_categories=["Cs"])),
            st.none() | st.sampled_from(["", '""', ",", "\r\n", " ", '"', 'a\n"b']),
        ),
        min_size=1,
        max_size=20,
    )
)
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_strings_round_trip_through_csv(
    tmp_path: Path, values: list[tuple[str | None, str | None]]
) -> None:
    columns = [TypedColumn("a", "string"), TypedColumn("b", "string")]
    rows: list[tuple[int, list[object]]] = [(i, [a, b]) for i, (a, b) in enumerate(values)]
    path = tmp_path / "strings.csv"
    sink = CsvSink(path, columns)
    sink.write_rows(rows)
    sink.close()
    source = CsvSource(path)
    try:
        assert [row for batch in source.batches(7) for row in batch] == rows
    finally:
        source.close()
