"""Where a line of line protocol ends, as influxd decides it: a LF inside a string field
value is part of the value, so bodies are never cut there and points are counted exactly."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from influxorm.exceptions import RequestTooLargeError
from influxorm.lineprotocol import encode_point
from influxorm.linescan import chunk_points, count_body_points, line_spans
from influxorm.session.batching import (
    WriteBatch,
    frame_batches,
    raw_batches,
    split_body,
    split_by_size,
    split_lines_by_size,
)
from influxorm.session.config import SessionConfig
from influxorm.session.messages import Request, Response
from influxorm.session.sender import Sender, WriteTarget


def lines_of(body: bytes) -> list[bytes]:
    return [body[start:end] for start, end in line_spans(body)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"a v=1 1\nb v=2 2", [b"a v=1 1", b"b v=2 2"]),
        (b'a s="x\ny" 1\nb v=2 2', [b'a s="x\ny" 1', b"b v=2 2"]),
        # an escaped quote does not close the string; an escaped backslash before the
        # closing quote does not escape it
        (b'a s="say \\"hi\n\\"" 1\nb v=1', [b'a s="say \\"hi\n\\"" 1', b"b v=1"]),
        (b'a s="ends in \\\\" 1\nb v=1', [b'a s="ends in \\\\" 1', b"b v=1"]),
        # several strings, one of them holding ",", "=" and a LF
        (b'a s="1",t="x,y=\n" 2\nb v=1', [b'a s="1",t="x,y=\n" 2', b"b v=1"]),
        # a quote in the measurement or a tag is a plain character, not a string
        (b'm"x,t=a"b v=1 1\nn v=2', [b'm"x,t=a"b v=1 1', b"n v=2"]),
        # a quote in a field key opens nothing either
        (b'm k"ey=1 1\nn v=2', [b'm k"ey=1 1', b"n v=2"]),
        # a backslash before a LF escapes it (influxd joins the lines)
        (b"m,t=a\\\nb v=1\nn v=2", [b"m,t=a\\\nb v=1", b"n v=2"]),
        # an unclosed string runs to the end of the body
        (b'm s="open\nn v=1\no v=2', [b'm s="open\nn v=1\no v=2']),
        (b"# comment\n\nm v=1", [b"# comment", b"", b"m v=1"]),
        (b"m v=1\n", [b"m v=1"]),
    ],
)
def test_line_spans_follow_the_server(body: bytes, expected: list[bytes]) -> None:
    assert lines_of(body) == expected


def test_count_body_points_is_exact() -> None:
    assert count_body_points(b'a s="x\ny\nz" 1\nb v=2 2') == 2
    assert count_body_points(b"# c\n  \n\tm v=1\n# s=1\nm v=2\n") == 2
    # influxd scans a comment like any line: a quote after "=" opens a string that takes
    # the next lines into the comment (verified: it stores nothing of them)
    assert count_body_points(b'# c\n  \n\tm v=1\n# s="\nm v=2\n') == 1
    assert count_body_points(b"a v=1\nb v=2\n\n") == 2
    assert count_body_points(b"") == 0
    assert chunk_points('m s="a\nb" 1') == 1
    assert chunk_points("# only a comment") == 0
    assert chunk_points("m v=1") == 1


def test_split_body_never_cuts_a_string() -> None:
    body = b'a s="' + b"x\n" * 20 + b'" 1\nb v=1 2'
    first, second = split_body(body)
    assert first == body[: body.rindex(b"\nb")]
    assert second == b"b v=1 2"
    with pytest.raises(RequestTooLargeError):
        split_body(b'a s="many\nlines\nbut one point" 1')


def test_split_by_size_keeps_points_whole() -> None:
    points = [f'm s="{"y" * i}\n{i}",v={i}i {i}'.encode() for i in range(30)]
    body = b"\n".join(points)
    pieces = list(split_by_size(body, 60))
    assert b"\n".join(pieces) == body
    assert [line for piece in pieces for line in lines_of(piece)] == points
    assert all(len(piece) <= 60 or count_body_points(piece) == 1 for piece in pieces)
    # the fast path (nothing that can hide a LF) cuts the same way as before
    assert list(split_by_size(b"aa\nbb\ncc\ndd", 5)) == [b"aa\nbb", b"cc\ndd"]


def test_write_batch_halves_lists_and_scans_raw() -> None:
    lines = ['m s="a\nb" 1', 'm s="c\nd" 2', "m v=3 3"]
    batch = WriteBatch.of_lines(lines)
    assert batch.points == 3
    first, second = batch.halves()
    assert (first.lines, second.lines) == (lines[:1], lines[1:])
    assert (first.points, second.points) == (1, 2)
    raw = WriteBatch.of_raw(batch.body)
    assert raw.points == 3
    halves = raw.halves()
    assert [half.body for half in halves] == [lines[0].encode(), "\n".join(lines[1:]).encode()]
    assert [half.points for half in halves] == [1, 2]
    with pytest.raises(RequestTooLargeError):
        WriteBatch.of_lines(lines[:1]).halves()


def test_structured_lines_are_cut_by_size_as_lists() -> None:
    lines = [f'm s="{i}\n"' for i in range(10)]  # 10 bytes each with the separator
    runs = list(split_lines_by_size(lines, 29))
    assert [len(run) for run in runs] == [3, 3, 3, 1]
    assert [line for run in runs for line in run] == lines


def test_raw_and_frame_batches_count_exactly() -> None:
    chunks = ['a s="x\ny" 1\nb v=1 2', "c v=1 3", "# nothing"]
    counts = [chunk_points(chunk) for chunk in chunks]
    assert counts == [2, 1, 0]
    assert [b.points for b in raw_batches(chunks, counts, 2, 10_000)] == [3]
    assert [b.points for b in raw_batches(chunks, counts, 1, 10_000)] == [2, 1]
    assert [b.points for b in raw_batches(chunks, counts, 5, 15)] == [1, 2]  # "# nothing": none
    frames = [b'f s="a\nb" 1\nf s="c" 2', b'f s="d" 3']
    assert [b.points for b in frame_batches(frames, 3, 10_000)] == [2, 1]
    assert [b.points for b in frame_batches([b"f v=1 1\nf v=2 2"], 2, 10_000)] == [2]


_TEXT = st.text(alphabet=st.sampled_from('ab \n"\\,=#\té'), max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=8), st.integers(1, 120))
def test_encoded_points_survive_any_cut(values: list[tuple[str, str]], max_bytes: int) -> None:
    points = [
        encode_point("m", {"t": "x"}, {"s": s, "v": 1.5, "w": w}, n)
        for n, (s, w) in enumerate(values)
    ]
    body = "\n".join(points).encode()
    assert count_body_points(body) == len(points)
    pieces = list(split_by_size(body, max_bytes))
    assert [line.decode() for piece in pieces for line in lines_of(piece)] == points
    if len(points) > 1:
        first, second = split_body(body)
        assert count_body_points(first) + count_body_points(second) == len(points)


class _Recorder:
    """An in-memory /write endpoint that records when each request arrives."""

    def __init__(self, events: list[str]) -> None:
        self.events = events

    async def request(self, request: Request) -> Response:
        self.events.append(f"send {request.points}")
        await asyncio.sleep(0.01)
        return Response(204, {}, _Empty())

    async def aclose(self) -> None:
        pass


class _Empty:
    async def __aiter__(self) -> AsyncIterator[bytes]:
        nothing: tuple[bytes, ...] = ()
        for piece in nothing:
            yield piece

    async def aclose(self) -> None:
        pass


async def test_write_bodies_starts_each_request_before_taking_the_next() -> None:
    events: list[str] = []
    progress: list[tuple[int, int | None, str]] = []

    def batches() -> Iterator[WriteBatch]:
        for n in (1, 2, 3):
            events.append(f"encode {n}")
            yield WriteBatch.of_lines(["m v=1 1"] * n)

    sender = Sender(SessionConfig(database="d"), _Recorder(events))
    written = await sender.write_bodies(
        batches(),
        WriteTarget("d", None, None),
        idempotent=True,
        max_concurrency=4,
        progress=lambda *args: progress.append(args),
        total=6,
    )
    assert written == 6
    assert events == ["encode 1", "send 1", "encode 2", "send 2", "encode 3", "send 3"]
    assert [done for done, _, _ in progress] == sorted(done for done, _, _ in progress)
    assert progress[-1] == (6, 6, "points written")
