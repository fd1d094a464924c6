"""Compiler tables: query -> exact InfluxQL text and exact bind parameters."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from query_models import Level, Quote, Side, Trade

import influxorm as orm
from influxorm.query import compile_delete, compile_query

T0 = datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)

SELECT_CASES: list[tuple[str, Any, str, dict[str, Any]]] = [
    ("all", lambda: Trade.objects, 'SELECT * FROM "trades"', {}),
    (
        "eq tag",
        lambda: Trade.objects.where(instrument="AAPL"),
        'SELECT * FROM "trades" WHERE "instrument" = $p0',
        {"p0": "AAPL"},
    ),
    (
        "eq enum tag",
        lambda: Trade.objects.where(side=Side.BUY),
        'SELECT * FROM "trades" WHERE "side" = $p0',
        {"p0": "BUY"},
    ),
    (
        "enum value given raw",
        lambda: Trade.objects.where(side="SELL"),
        'SELECT * FROM "trades" WHERE "side" = $p0',
        {"p0": "SELL"},
    ),
    (
        "eq explicit",
        lambda: Trade.objects.where(instrument__eq="A"),
        'SELECT * FROM "trades" WHERE "instrument" = $p0',
        {"p0": "A"},
    ),
    (
        "ne tag",
        lambda: Trade.objects.where(instrument__ne="A"),
        'SELECT * FROM "trades" WHERE "instrument" <> $p0',
        {"p0": "A"},
    ),
    (
        "in tag",
        lambda: Trade.objects.where(instrument__in=["A", "B", "A"]),
        'SELECT * FROM "trades" WHERE "instrument" = $p0 OR "instrument" = $p1',
        {"p0": "A", "p1": "B"},
    ),
    (
        "in single",
        lambda: Trade.objects.where(instrument__in=("A",)),
        'SELECT * FROM "trades" WHERE "instrument" = $p0',
        {"p0": "A"},
    ),
    (
        "in empty matches nothing",
        lambda: Trade.objects.where(instrument__in=[]),
        'SELECT * FROM "trades" WHERE "instrument" = $p0 AND "instrument" <> $p1',
        {"p0": "", "p1": ""},
    ),
    (
        "regex tag str",
        lambda: Trade.objects.where(instrument__regex="^AA"),
        'SELECT * FROM "trades" WHERE "instrument" =~ $p0',
        {"p0": {"regex": "^AA"}},
    ),
    (
        "regex compiled with flags",
        lambda: Trade.objects.where(trade_id__regex=re.compile("ab/c", re.IGNORECASE)),
        'SELECT * FROM "trades" WHERE "trade_id" =~ $p0',
        {"p0": {"regex": "(?i)ab/c"}},
    ),
    (
        "float gt, int widened",
        lambda: Trade.objects.where(price__gt=100),
        'SELECT * FROM "trades" WHERE "price" > 100.0',
        {},
    ),
    (
        "float gte tiny",
        lambda: Trade.objects.where(price__gte=1e-07),
        'SELECT * FROM "trades" WHERE "price" >= 0.0000001',
        {},
    ),
    (
        "float lt negative",
        lambda: Trade.objects.where(price__lt=-1.5),
        'SELECT * FROM "trades" WHERE "price" < -1.5',
        {},
    ),
    (
        "int lte",
        lambda: Trade.objects.where(size__lte=10),
        'SELECT * FROM "trades" WHERE "size" <= $p0',
        {"p0": 10},
    ),
    (
        "bool eq",
        lambda: Trade.objects.where(flagged=True),
        'SELECT * FROM "trades" WHERE "flagged" = $p0',
        {"p0": True},
    ),
    (
        "int enum field",
        lambda: Trade.objects.where(level=Level.HIGH),
        'SELECT * FROM "trades" WHERE "level" = $p0',
        {"p0": 2},
    ),
    (
        "string field with hostile text",
        lambda: Trade.objects.where(trade_id="x' OR 1=1; DROP DATABASE x --"),
        'SELECT * FROM "trades" WHERE "trade_id" = $p0',
        {"p0": "x' OR 1=1; DROP DATABASE x --"},
    ),
    (
        "two lookups in one where are ANDed",
        lambda: Trade.objects.where(instrument="A", size__gt=1),
        'SELECT * FROM "trades" WHERE "instrument" = $p0 AND "size" > $p1',
        {"p0": "A", "p1": 1},
    ),
    (
        "successive wheres",
        lambda: Trade.objects.where(instrument="A").where(size__gt=1),
        'SELECT * FROM "trades" WHERE "instrument" = $p0 AND "size" > $p1',
        {"p0": "A", "p1": 1},
    ),
    (
        "Q or",
        lambda: Trade.objects.where(orm.Q(instrument="A") | orm.Q(size__gt=5)),
        'SELECT * FROM "trades" WHERE "instrument" = $p0 OR "size" > $p1',
        {"p0": "A", "p1": 5},
    ),
    (
        "Q and of ors",
        lambda: Trade.objects.where(
            (orm.Q(instrument="A") | orm.Q(instrument="B")) & (orm.Q(size=1) | orm.Q(size=2))
        ),
        'SELECT * FROM "trades" WHERE ("instrument" = $p0 OR "instrument" = $p1) '
        'AND ("size" = $p2 OR "size" = $p3)',
        {"p0": "A", "p1": "B", "p2": 1, "p3": 2},
    ),
    (
        "Q not pushes down (De Morgan)",
        lambda: Trade.objects.where(~(orm.Q(instrument="A") & orm.Q(size__gt=5))),
        'SELECT * FROM "trades" WHERE "instrument" <> $p0 OR "size" <= $p1',
        {"p0": "A", "p1": 5},
    ),
    (
        "double negation",
        lambda: Trade.objects.where(~~orm.Q(size__lt=5)),
        'SELECT * FROM "trades" WHERE "size" < $p0',
        {"p0": 5},
    ),
    (
        "negated regex and in",
        lambda: Trade.objects.where(~orm.Q(instrument__regex="x", side__in=[Side.BUY, Side.SELL])),
        'SELECT * FROM "trades" WHERE "instrument" !~ $p0 OR ("side" <> $p1 AND "side" <> $p2)',
        {"p0": {"regex": "x"}, "p1": "BUY", "p2": "SELL"},
    ),
    (
        "exclude",
        lambda: Trade.objects.exclude(source="DARK"),
        'SELECT * FROM "trades" WHERE "source" <> $p0',
        {"p0": "DARK"},
    ),
    (
        "exclude several is NOT(a AND b)",
        lambda: Trade.objects.exclude(source="DARK", size__gte=3),
        'SELECT * FROM "trades" WHERE "source" <> $p0 OR "size" < $p1',
        {"p0": "DARK", "p1": 3},
    ),
    (
        "exclude empty in matches all",
        lambda: Trade.objects.exclude(size__in=[]),
        'SELECT * FROM "trades" WHERE "size" = $p0 OR "size" <> $p1',
        {"p0": 0, "p1": 0},
    ),
    (
        "time range datetimes",
        lambda: Trade.objects.where(time__gte=T0, time__lt=T0 + timedelta(hours=1)),
        'SELECT * FROM "trades" WHERE time >= $p0 AND time < $p1',
        {"p0": "2024-01-02T03:04:05.123456Z", "p1": "2024-01-02T04:04:05.123456Z"},
    ),
    (
        "time int ns",
        lambda: Trade.objects.where(time__gt=1_700_000_000_000_000_001),
        'SELECT * FROM "trades" WHERE time > $p0',
        {"p0": "2023-11-14T22:13:20.000000001Z"},
    ),
    (
        "time naive datetime is UTC",
        lambda: Trade.objects.where(time__lte=datetime(2024, 1, 1)),
        'SELECT * FROM "trades" WHERE time <= $p0',
        {"p0": "2024-01-01T00:00:00Z"},
    ),
    (
        "time eq",
        lambda: Trade.objects.where(time=0),
        'SELECT * FROM "trades" WHERE time = $p0',
        {"p0": "1970-01-01T00:00:00Z"},
    ),
    (
        "relative time",
        lambda: Trade.objects.where(time__gte=orm.now() - timedelta(hours=1, minutes=30)),
        'SELECT * FROM "trades" WHERE time >= now() - 1h30m',
        {},
    ),
    (
        "relative time forward and text",
        lambda: Trade.objects.where(time__lt=orm.now() + "15m", time__gt=orm.now() - "2d"),
        'SELECT * FROM "trades" WHERE time < now() + 15m AND time > now() - 2d',
        {},
    ),
    (
        "now alone",
        lambda: Trade.objects.where(time__lte=orm.now()),
        'SELECT * FROM "trades" WHERE time <= now()',
        {},
    ),
    (
        "negated time lookup",
        lambda: Trade.objects.exclude(time__lt=0),
        'SELECT * FROM "trades" WHERE time >= $p0',
        {"p0": "1970-01-01T00:00:00Z"},
    ),
    (
        "only",
        lambda: Trade.objects.only("price", "instrument", "time"),
        'SELECT "price", "instrument" FROM "trades"',
        {},
    ),
    (
        "order desc, limit, offset",
        lambda: Trade.objects.order_by("-time").limit(100).offset(10),
        'SELECT * FROM "trades" ORDER BY time DESC LIMIT 100 OFFSET 10',
        {},
    ),
    (
        "order asc is the default",
        lambda: Trade.objects.order_by("-time").order_by("time"),
        'SELECT * FROM "trades"',
        {},
    ),
    (
        "slimit soffset",
        lambda: Trade.objects.group_by("instrument").slimit(2).soffset(1),
        'SELECT * FROM "trades" GROUP BY "instrument" SLIMIT 2 SOFFSET 1',
        {},
    ),
    (
        "limit removed",
        lambda: Trade.objects.limit(5).limit(None),
        'SELECT * FROM "trades"',
        {},
    ),
    (
        "group by all tags",
        lambda: Trade.objects.group_by("*"),
        'SELECT * FROM "trades" GROUP BY *',
        {},
    ),
    (
        "tz",
        lambda: Trade.objects.tz("Europe/Paris"),
        "SELECT * FROM \"trades\" tz('Europe/Paris')",
        {},
    ),
    (
        "quoted names, rp, keys",
        lambda: Quote.objects.where(venue="X", bid__gt=1.5),
        'SELECT * FROM "one year"."quo\\"tes" WHERE "venue key" = $p0 AND "bid price" > 1.5',
        {"p0": "X"},
    ),
    (
        "lookup by InfluxDB key",
        lambda: Quote.objects.where(**{"venue key": "X"}),
        'SELECT * FROM "one year"."quo\\"tes" WHERE "venue key" = $p0',
        {"p0": "X"},
    ),
    (
        "aggregate",
        lambda: Trade.objects.aggregate(avg=orm.Mean("price"), volume=orm.Sum("size")),
        'SELECT mean("price") AS "avg", sum("size") AS "volume" FROM "trades"',
        {},
    ),
    (
        "aggregate group by tags and time with fill none->null",
        lambda: (
            Trade.objects.where(instrument="AAPL")
            .aggregate(avg=orm.Mean("price"))
            .group_by("instrument", orm.every("1h"), fill=None)
        ),
        'SELECT mean("price") AS "avg" FROM "trades" WHERE "instrument" = $p0 '
        'GROUP BY "instrument", time(1h) fill(null)',
        {"p0": "AAPL"},
    ),
    (
        "group_by before aggregate",
        lambda: Trade.objects.group_by(orm.every(timedelta(minutes=5)), fill="previous").aggregate(
            n=orm.Count("price")
        ),
        'SELECT count("price") AS "n" FROM "trades" GROUP BY time(5m) fill(previous)',
        {},
    ),
    (
        "every with offset, fill number",
        lambda: Trade.objects.aggregate(m=orm.Max("price")).group_by(
            orm.every("1d", offset="6h"), fill=0
        ),
        'SELECT max("price") AS "m" FROM "trades" GROUP BY time(1d, 6h) fill(0)',
        {},
    ),
    (
        "every with negative offset, fill float",
        lambda: Trade.objects.aggregate(m=orm.Min("price")).group_by(
            orm.every("1h", offset=timedelta(minutes=-15)), fill=-1.5
        ),
        'SELECT min("price") AS "m" FROM "trades" GROUP BY time(1h, -15m) fill(-1.5)',
        {},
    ),
    (
        "fill linear and none",
        lambda: Trade.objects.aggregate(m=orm.Mean("price")).group_by(
            orm.every("1s"), fill="linear"
        ),
        'SELECT mean("price") AS "m" FROM "trades" GROUP BY time(1s) fill(linear)',
        {},
    ),
    (
        "every ms",
        lambda: Trade.objects.aggregate(m=orm.Mean("price")).group_by(
            orm.every("1500ms"), fill="none"
        ),
        'SELECT mean("price") AS "m" FROM "trades" GROUP BY time(1s500ms) fill(none)',
        {},
    ),
    (
        "aggregate chained",
        lambda: Trade.objects.aggregate(a=orm.First("price")).aggregate(b=orm.Last("price")),
        'SELECT first("price") AS "a", last("price") AS "b" FROM "trades"',
        {},
    ),
    (
        "count star",
        lambda: Trade.objects.aggregate(n=orm.Count("*")),
        'SELECT count(*) AS "n" FROM "trades"',
        {},
    ),
    (
        "aggregate with limit, order, tz",
        lambda: (
            Trade.objects.aggregate(s=orm.Spread("price"))
            .group_by(orm.every("1h"))
            .order_by("-time")
            .limit(3)
            .tz("UTC")
        ),
        'SELECT spread("price") AS "s" FROM "trades" GROUP BY time(1h) ORDER BY time DESC '
        "LIMIT 3 tz('UTC')",
        {},
    ),
    (
        "into measurement name",
        lambda: Trade.objects.into("copy"),
        'SELECT * INTO "copy" FROM "trades" GROUP BY *',
        {},
    ),
    (
        "into model, aggregate",
        lambda: (
            Trade.objects.aggregate(avg=orm.Mean("price"))
            .group_by("instrument", orm.every("1h"))
            .into(Quote)
        ),
        'SELECT mean("price") AS "avg" INTO "market"."one year"."quo\\"tes" FROM "trades" '
        'GROUP BY "instrument", time(1h)',
        {},
    ),
    (
        "into db only",
        lambda: Trade.objects.where(size=1).into("copy", database="other"),
        'SELECT * INTO "other".."copy" FROM "trades" WHERE "size" = $p0 GROUP BY *',
        {"p0": 1},
    ),
    (
        "into rp only",
        lambda: Trade.objects.into("copy", retention_policy="rp"),
        'SELECT * INTO "rp"."copy" FROM "trades" GROUP BY *',
        {},
    ),
]

FUNCTION_CASES: list[tuple[orm.Function, str]] = [
    (orm.Count("price"), 'count("price")'),
    (orm.Distinct("trade_id"), 'distinct("trade_id")'),
    (orm.Count(orm.Distinct("trade_id")), 'count(distinct("trade_id"))'),
    (orm.Integral("price"), 'integral("price")'),
    (orm.Integral("price", "1m"), 'integral("price", 1m)'),
    (orm.Mean("price"), 'mean("price")'),
    (orm.Median("price"), 'median("price")'),
    (orm.Mode("size"), 'mode("size")'),
    (orm.Spread("price"), 'spread("price")'),
    (orm.Stddev("price"), 'stddev("price")'),
    (orm.Sum("size"), 'sum("size")'),
    (orm.First("price"), 'first("price")'),
    (orm.Last("price"), 'last("price")'),
    (orm.Max("price"), 'max("price")'),
    (orm.Min("price"), 'min("price")'),
    (orm.Percentile("price", 95), 'percentile("price", 95)'),
    (orm.Percentile("price", 99.9), 'percentile("price", 99.9)'),
    (orm.Sample("price", 3), 'sample("price", 3)'),
    (orm.Top("price", 3), 'top("price", 3)'),
    (orm.Top("price", 2, tags=("instrument", "side")), 'top("price", "instrument", "side", 2)'),
    (orm.Bottom("price", 1), 'bottom("price", 1)'),
    (orm.Derivative("price"), 'derivative("price")'),
    (orm.Derivative("price", timedelta(seconds=1)), 'derivative("price", 1s)'),
    (orm.NonNegativeDerivative("size", "1h"), 'non_negative_derivative("size", 1h)'),
    (orm.Difference("price"), 'difference("price")'),
    (orm.MovingAverage("price", 5), 'moving_average("price", 5)'),
    (orm.CumulativeSum("size"), 'cumulative_sum("size")'),
    (orm.Elapsed("price"), 'elapsed("price")'),
    (orm.Elapsed("price", "1ms"), 'elapsed("price", 1ms)'),
    (orm.Derivative(orm.Mean("price"), "1m"), 'derivative(mean("price"), 1m)'),
]


@pytest.mark.parametrize(
    ("build", "text", "params"),
    [pytest.param(b, t, p, id=i) for i, b, t, p in SELECT_CASES],
)
def test_select_compiles_to_exact_text_and_params(
    build: Any, text: str, params: dict[str, Any]
) -> None:
    query = build()
    assert compile_query(query) == (text, params)
    assert query.influxql == text
    assert query.params == params


@pytest.mark.parametrize(("function", "text"), FUNCTION_CASES, ids=lambda v: str(v)[:40])
def test_function_compiles(function: orm.Function, text: str) -> None:
    query = Trade.objects.aggregate(x=function)
    assert query.influxql == f'SELECT {text} AS "x" FROM "trades"'
    assert query.params == {}


DELETE_CASES: list[tuple[str, Any, str, dict[str, Any]]] = [
    ("all", lambda: Trade.objects, 'DELETE FROM "trades"', {}),
    (
        "tags and time",
        lambda: Trade.objects.where(instrument__in=["A", "B"], time__lt=0),
        'DELETE FROM "trades" WHERE ("instrument" = $p0 OR "instrument" = $p1) AND time < $p2',
        {"p0": "A", "p1": "B", "p2": "1970-01-01T00:00:00Z"},
    ),
    (
        "regex and relative time",
        lambda: Trade.objects.where(side__regex="B.*", time__lt=orm.now() - "1d"),
        'DELETE FROM "trades" WHERE "side" =~ $p0 AND time < now() - 1d',
        {"p0": {"regex": "B.*"}},
    ),
    (
        "rp is not named (DELETE covers every rp)",
        lambda: Quote.objects.exclude(venue="X"),
        'DELETE FROM "quo\\"tes" WHERE "venue key" <> $p0',
        {"p0": "X"},
    ),
]


@pytest.mark.parametrize(
    ("build", "text", "params"),
    [pytest.param(b, t, p, id=i) for i, b, t, p in DELETE_CASES],
)
def test_delete_compiles(build: Any, text: str, params: dict[str, Any]) -> None:
    assert compile_delete(build()) == (text, params)


ERROR_CASES: list[tuple[str, Any, str]] = [
    ("unknown attribute", lambda: Trade.objects.where(nope=1), "Trade has no column 'nope'"),
    (
        "unknown lookup names the lookup and lists them",
        lambda: Trade.objects.where(price__gtt=1),
        "Trade.price: unknown lookup 'gtt' in 'price__gtt' (lookups: eq, ne, gt, gte, lt, lte,"
        " regex, in",
    ),
    ("unknown lookup in exclude", lambda: Trade.objects.exclude(side__is="BUY"), "lookup 'is'"),
    (
        "unknown lookup in Q",
        lambda: Trade.objects.where(orm.Q(time__after=0)),
        "Trade.time: unknown lookup 'after'",
    ),
    ("unknown attr and lookup", lambda: Trade.objects.where(pric__gt=1), "no column 'pric'"),
    ("unknown dunder name", lambda: Trade.objects.where(pr__ice=1), "no column 'pr__ice'"),
    ("str field gt", lambda: Trade.objects.where(trade_id__gt="a"), "is a str field"),
    ("str field gte", lambda: Trade.objects.where(trade_id__gte="a"), "silently match no row"),
    ("str field lt negated", lambda: Trade.objects.exclude(trade_id__lt="a"), "is a str field"),
    ("str field lte", lambda: Trade.objects.where(note__lte="a"), "use eq, ne, in or regex"),
    (
        "enum tag not a member",
        lambda: Trade.objects.where(side="HOLD"),
        "Trade.side takes Side members or their values, and 'HOLD' is not one "
        "(members: BUY ('BUY'), SELL ('SELL'))",
    ),
    ("enum tag not a member in", lambda: Trade.objects.where(side__in=["BUY", "X"]), "'X'"),
    ("enum tag not a member ne", lambda: Trade.objects.exclude(side="buy"), "'buy' is not one"),
    ("enum field not a member", lambda: Trade.objects.where(level=3), "LOW (1), HIGH (2)"),
    ("tag gt", lambda: Trade.objects.where(instrument__gt="A"), "Trade.instrument is a tag"),
    ("tag lte", lambda: Trade.objects.where(side__lte=Side.BUY), "Trade.side is a tag"),
    ("tag compared with int", lambda: Trade.objects.where(instrument=1), "holds str values"),
    ("wrong enum", lambda: Trade.objects.where(side=Level.LOW), "Trade.side takes Side"),
    ("int field with str", lambda: Trade.objects.where(size="1"), "Trade.size holds int"),
    ("int field with float", lambda: Trade.objects.where(size=1.5), "Trade.size holds int"),
    ("int field with bool", lambda: Trade.objects.where(size=True), "Trade.size holds int"),
    ("int out of int64", lambda: Trade.objects.where(size=2**63), "outside int64"),
    ("float nan", lambda: Trade.objects.where(price=float("nan")), "stores no nan"),
    ("float inf", lambda: Trade.objects.where(price__gt=float("inf")), "stores no inf"),
    ("bool ordering", lambda: Trade.objects.where(flagged__gt=False), "is a bool field"),
    ("regex on number", lambda: Trade.objects.where(price__regex="1"), "regex needs text"),
    ("regex not text", lambda: Trade.objects.where(instrument__regex=1), "takes a str or re"),
    ("in needs a list", lambda: Trade.objects.where(instrument__in="AB"), "needs a list"),
    ("time ne", lambda: Trade.objects.where(time__ne=0), "time column"),
    ("time regex", lambda: Trade.objects.where(time__regex="x"), "time column"),
    ("time in", lambda: Trade.objects.where(time__in=[0]), "time column"),
    ("time bad value", lambda: Trade.objects.where(time__gt="yesterday"), "Trade.time"),
    ("negated time eq", lambda: Trade.objects.exclude(time=0), "cannot compare time with <>"),
    (
        "time under OR",
        lambda: Trade.objects.where(orm.Q(time__gt=0) | orm.Q(instrument="A")),
        "time condition cannot be combined with OR",
    ),
    (
        "time range negated becomes OR",
        lambda: Trade.objects.exclude(time__gt=0, time__lt=5),
        "time condition cannot be combined with OR",
    ),
    ("Q positional junk", lambda: orm.Q("x"), "Q() takes Q objects"),
    ("exclude nothing", lambda: Trade.objects.exclude(), "exclude() needs"),
    ("order by field", lambda: Trade.objects.order_by("price"), "orders by time only"),
    ("negative limit", lambda: Trade.objects.limit(-1), "limit() takes an int"),
    ("float offset", lambda: Trade.objects.offset(1.5), "offset() takes an int"),
    ("bad tz", lambda: Trade.objects.tz("Mars/Olympus"), "unknown time zone"),
    ("only tags", lambda: Trade.objects.only("instrument"), "at least one field"),
    ("only unknown", lambda: Trade.objects.only("nope"), "no column 'nope'"),
    ("group by field", lambda: Trade.objects.group_by("price"), "Trade.price is a field"),
    (
        "group by two every",
        lambda: Trade.objects.group_by(orm.every("1h"), orm.every("1m")),
        "one every",
    ),
    (
        "fill without every",
        lambda: Trade.objects.group_by("instrument", fill=0),
        "fill only applies",
    ),
    ("fill junk", lambda: Trade.objects.group_by(orm.every("1h"), fill="zero"), "fill must be"),
    ("zero every", lambda: orm.every("0s"), "cannot be zero"),
    ("bad duration", lambda: orm.every("1 hour"), "not an InfluxQL duration"),
    ("huge duration", lambda: orm.every(timedelta(days=200_000)), "too large"),
    (
        "group by time without aggregate",
        lambda: compile_query(Trade.objects.group_by(orm.every("1h"))),
        "GROUP BY time (every(...)) needs an aggregate",
    ),
    (
        "transformation over time buckets without inner function",
        lambda: compile_query(
            Trade.objects.aggregate(d=orm.Derivative("price")).group_by(orm.every("1h"))
        ),
        "needs a function inside",
    ),
    ("aggregate on tag", lambda: Trade.objects.aggregate(m=orm.Mean("instrument")), "is a tag"),
    (
        "mean of a str field",
        lambda: Trade.objects.aggregate(m=orm.Mean("trade_id")),
        "Trade.trade_id is a str field: mean() takes numbers (int or float)",
    ),
    ("sum of a bool field", lambda: Trade.objects.aggregate(m=orm.Sum("flagged")), "bool field"),
    ("max of a str field", lambda: Trade.objects.aggregate(m=orm.Max("note")), "numbers and bools"),
    (
        "derivative of first of a str field",
        lambda: Trade.objects.aggregate(d=orm.Derivative(orm.First("trade_id"))),
        "and first() of 'trade_id' gives str values",
    ),
    ("aggregate unknown", lambda: Trade.objects.aggregate(m=orm.Mean("nope")), "no column"),
    ("aggregate not function", lambda: Trade.objects.aggregate(m="price"), "takes a function"),
    ("aggregate name time", lambda: Trade.objects.aggregate(time=orm.Mean("price")), "is taken"),
    (
        "aggregate name twice",
        lambda: Trade.objects.aggregate(a=orm.Mean("price")).aggregate(a=orm.Sum("size")),
        "is taken",
    ),
    (
        "only then aggregate",
        lambda: Trade.objects.only("price").aggregate(a=orm.Mean("price")),
        "either only() or aggregate()",
    ),
    (
        "top tag arg is field",
        lambda: Trade.objects.aggregate(t=orm.Top("price", 1, tags=("size",))),
        "takes a tag",
    ),
    ("percentile > 100", lambda: orm.Percentile("price", 101), "from 0 to 100"),
    ("percentile nan", lambda: orm.Percentile("price", float("nan")), "from 0 to 100"),
    (
        "top with other functions",
        lambda: compile_query(
            Trade.objects.aggregate(t=orm.Bottom("price", 1), m=orm.Mean("price"))
        ),
        "top() and bottom() cannot be combined",
    ),
    ("top zero", lambda: orm.Top("price", 0), "positive int"),
    ("sample float", lambda: orm.Sample("price", 1.0), "positive int"),
    ("moving average zero", lambda: orm.MovingAverage("price", 0), "positive int"),
    (
        "top of function",
        lambda: Trade.objects.aggregate(t=orm.Top(orm.Mean("price"), 1)),
        "field name",
    ),
    ("unit zero", lambda: orm.Derivative("price", "0s"), "cannot be zero"),
    ("unit junk", lambda: orm.Derivative("price", 5), "timedelta or duration text"),
    ("function field junk", lambda: orm.Mean(5), "field name"),
    ("now shifted by int", lambda: orm.now() - 5, "now() shifts by"),
    ("into empty name", lambda: Trade.objects.into(""), "cannot be empty"),
    # influxd writes INTO points as line protocol: "x\\" would store into "x,tk=a".
    ("into trailing backslash", lambda: Trade.objects.into("x\\"), "cannot end with a backslash"),
    ("into line feed", lambda: Trade.objects.into("a\nb"), "line feed"),
    ("into nul", lambda: Trade.objects.into("a\x00"), "NUL"),
    ("into comment", lambda: Trade.objects.into("#x"), "comment"),
    ("into nul database", lambda: Trade.objects.into("x", database="d\x00").influxql, "NUL"),
    (
        "delete with field condition",
        lambda: compile_delete(Trade.objects.where(price__gt=1)),
        "Trade.price is a field: InfluxQL DELETE filters on tags and time only",
    ),
    (
        "delete with limit",
        lambda: compile_delete(Trade.objects.limit(1)),
        "delete() takes filters only",
    ),
    (
        "delete with order",
        lambda: compile_delete(Trade.objects.order_by("-time")),
        "delete() takes filters only",
    ),
]


@pytest.mark.parametrize(
    ("build", "message"),
    [pytest.param(b, m, id=i) for i, b, m in ERROR_CASES],
)
def test_build_errors(build: Any, message: str) -> None:
    with pytest.raises(orm.QueryBuildError) as info:
        build()
    assert message in str(info.value)
