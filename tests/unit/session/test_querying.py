"""The session layer's query runner against canned answers: no server, no session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import pytest

import influxorm as orm
from influxorm.exceptions import QueryBuildError
from influxorm.session import querying


class Side(Enum):
    BUY = "BUY"
    SELL = "SELL"


class Tick(orm.Measurement, name="ticks"):
    time: datetime = orm.time()
    side: Side = orm.tag()
    price: float = orm.field()


T0 = 1_700_000_000_000_000_000


class _Chunks:
    def __init__(self, chunks: list[Mapping[str, Any]]) -> None:
        self._chunks = iter(chunks)
        self.closed = False

    def __aiter__(self) -> AsyncIterator[Mapping[str, Any]]:
        return self

    async def __anext__(self) -> Mapping[str, Any]:
        try:
            return next(self._chunks)
        except StopIteration:
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        self.closed = True


class Canned:
    """A raw-query callable answering every statement with one canned response."""

    def __init__(self, *answers: Mapping[str, Any]) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.streams: list[_Chunks] = []

    async def __call__(self, q: str, **options: Any) -> Any:
        self.calls.append((q, options))
        if options.get("chunked"):
            self.streams.append(_Chunks(self.answers))
            return self.streams[-1]
        return self.answers[0]


def _series(columns: list[str], values: list[list[Any]], **tags: str) -> dict[str, Any]:
    series: dict[str, Any] = {"name": "ticks", "columns": columns, "values": values}
    if tags:
        series["tags"] = tags
    return {"results": [{"statement_id": 0, "series": [series]}]}


async def test_fetch_streams_chunks_into_instances_and_closes_the_stream() -> None:
    run = Canned(
        _series(["time", "price", "side"], [[T0, 1.5, "BUY"]]),
        _series(["time", "price", "side"], [[T0 + 1, 2, "SELL"]]),
    )
    ticks = await querying.fetch(Tick.objects.where(side=Side.BUY), run)
    assert [(t.side, t.price) for t in ticks] == [(Side.BUY, 1.5), (Side.SELL, 2)]
    assert ticks[0].time == datetime.fromtimestamp(T0 // 10**9, UTC)
    text, options = run.calls[0]
    assert text == Tick.objects.where(side=Side.BUY).influxql
    assert options["chunked"] is True
    assert options["chunk_size"] == querying.FETCH_CHUNK_SIZE
    assert options["params"] == {"p0": "BUY"}
    assert run.streams[0].closed


async def test_count_applies_limit_and_offset_per_series() -> None:
    run = Canned(_series(["time", "n"], [[0, 7]]))
    assert await querying.count(Tick.objects, run) == 7
    assert await querying.count(Tick.objects.limit(5), run) == 5
    assert await querying.count(Tick.objects.offset(4), run) == 3
    assert 'count("price")' in run.calls[0][0]


async def test_exists_asks_for_one_point() -> None:
    run = Canned({"results": [{"statement_id": 0}]})
    assert await querying.exists(Tick.objects, run) is False
    assert run.calls[0][0].endswith("LIMIT 1")


async def test_fetch_rows_makes_whole_floats_floats_and_enum_tags_members() -> None:
    run = Canned(_series(["time", "avg"], [[T0, 2]], side="SELL"))
    rows = await querying.fetch_rows(
        Tick.objects.aggregate(avg=orm.Mean("price")).group_by("side"), run
    )
    assert rows == [{"time": T0, "avg": 2.0, "side": Side.SELL}]
    assert type(rows[0]["avg"]) is float


async def test_select_into_reads_the_written_count() -> None:
    run = Canned(_series(["time", "written"], [[0, 42]]))
    query = Tick.objects.aggregate(avg=orm.Mean("price")).into("ticks_avg")
    assert await querying.select_into(query, run) == 42


async def test_delete_sends_the_compiled_delete() -> None:
    run = Canned({"results": [{"statement_id": 0}]})
    await querying.delete(Tick.objects.where(side=Side.SELL), run)
    assert run.calls[0][0].startswith("DELETE FROM")


@pytest.mark.parametrize("size", [0, -1, 1.5, True])
def test_chunk_size_is_checked(size: Any) -> None:
    with pytest.raises(QueryBuildError, match="chunk_size"):
        querying.check_chunk_size(size)
