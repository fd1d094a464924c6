"""Declarations of retention policies and continuous queries: validated when made, every
error naming the declaration; the continuous query's inline text."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

import influxorm as orm


class Tick(orm.Measurement, name="ticks"):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    price: float = orm.field()
    size: int = orm.field()


class Bar(orm.Measurement, name="bars", retention_policy="year"):
    time: datetime = orm.time()
    instrument: str = orm.tag()
    vwap: float = orm.field()


def bars(**where: object) -> orm.query.IntoQuery[Tick]:
    return (
        Tick.objects.where(**where)
        .aggregate(vwap=orm.Mean("price"))
        .group_by("instrument", orm.every("1m"), fill="none")
        .into(Bar)
    )


def test_a_retention_policy_keeps_its_values() -> None:
    rp = orm.RetentionPolicy("raw", timedelta(days=7), shard_duration="1d", default=True)
    assert (rp.name, rp.duration, rp.shard_duration_ns, rp.replication, rp.default) == (
        "raw",
        "1w",
        86_400 * 10**9,
        1,
        True,
    )
    assert orm.RetentionPolicy("forever", "INF").duration_ns == 0
    assert orm.RetentionPolicy("forever", 0).duration == "INF"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: orm.RetentionPolicy("r", "30m"), r"RetentionPolicy 'r': .*INF or at least 1h"),
        (lambda: orm.RetentionPolicy("r", "1d; DROP"), r"RetentionPolicy 'r': duration"),
        (lambda: orm.RetentionPolicy("r", "-1h"), r"RetentionPolicy 'r': duration"),
        (lambda: orm.RetentionPolicy("r", 1.5), r"RetentionPolicy 'r': duration"),  # type: ignore[arg-type]
        (lambda: orm.RetentionPolicy("r", "1d", shard_duration="10m"), "at least 1h"),
        (lambda: orm.RetentionPolicy("r", "1d", shard_duration="2d"), "longer than"),
        (lambda: orm.RetentionPolicy("r", "1d", replication=0), "replication"),
        (lambda: orm.RetentionPolicy("r", "1d", default=1), "default must be a bool"),  # type: ignore[arg-type]
        (lambda: orm.RetentionPolicy("", "1d"), "non-empty str name"),
        (lambda: orm.RetentionPolicy("a/b", "1d"), r"RetentionPolicy 'a/b': .*invalid name"),
        (lambda: orm.RetentionPolicy("a\\b", "1d"), "invalid name"),
        (lambda: orm.RetentionPolicy("..", "1d"), "invalid name"),
        (lambda: orm.RetentionPolicy("a\x1fb", "1d"), r"'\\x1f'.*invalid name"),
        (lambda: orm.RetentionPolicy("a\u2028", "1d"), "invalid name"),
    ],
)
def test_a_bad_retention_policy_is_refused_naming_it(make: object, message: str) -> None:
    with pytest.raises(orm.ValidationError, match=message):
        make()  # type: ignore[operator]


def test_hostile_names_that_influxql_can_quote_are_accepted() -> None:
    assert orm.RetentionPolicy('x"; DROP DATABASE d --', "1d").name == 'x"; DROP DATABASE d --'
    cq = orm.ContinuousQuery("select\n\"'", bars(instrument="a'b"))
    assert cq.name == "select\n\"'"


def test_a_continuous_query_is_compiled_with_inline_literals() -> None:
    cq = orm.ContinuousQuery("bars", bars(instrument="it's"), resample_every="2m")
    assert cq.select == (
        'SELECT mean("price") AS "vwap" INTO "year"."bars" FROM "ticks" '
        'WHERE "instrument" = \'it\\\'s\' GROUP BY "instrument", time(1m) fill(none)'
    )
    assert (cq.resample_every_ns, cq.resample_for_ns) == (120 * 10**9, None)
    assert (cq.interval_ns, cq.offset_ns) == (60 * 10**9, 0)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: orm.ContinuousQuery("c", Tick.objects), "must end in .into"),  # type: ignore[arg-type]
        (
            lambda: orm.ContinuousQuery("c", Tick.objects.into(Bar)),
            r"ContinuousQuery 'c': .*GROUP BY time",
        ),
        (
            lambda: orm.ContinuousQuery(
                "c", Tick.objects.aggregate(v=orm.Mean("price")).group_by("instrument").into(Bar)
            ),
            "GROUP BY time",
        ),
        (
            lambda: orm.ContinuousQuery("c", bars(time__gte=datetime(2024, 1, 1))),
            "cannot filter on time",
        ),
        (
            lambda: orm.ContinuousQuery(
                "c",
                Tick.objects.aggregate(v=orm.Mean("price")).group_by(orm.every("1m")).into(Tick),
            ),
            r"ContinuousQuery 'c': it would read and write the same series \('ticks'\)",
        ),
        (lambda: orm.ContinuousQuery("c", bars(), resample_for="30s"), "at least the GROUP BY"),
        (lambda: orm.ContinuousQuery("c", bars(), resample_every="soon"), "resample_every"),
        (lambda: orm.ContinuousQuery("c", bars(), resample_every=0), "cannot be zero"),
        (lambda: orm.ContinuousQuery("c", bars(instrument="a\rb")), "ContinuousQuery 'c'"),
        (lambda: orm.ContinuousQuery("c", bars(price__gt=1.23456)), "3 decimals"),
        (lambda: orm.ContinuousQuery("c", bars(price__lt=0.0001)), "become 0.000"),
        (
            lambda: orm.ContinuousQuery(
                "c",
                Tick.objects.aggregate(p=orm.Percentile("price", 99.9375))
                .group_by(orm.every("1m"))
                .into(Bar),
            ),
            "99.9375 would become 99.938",
        ),
        (lambda: orm.ContinuousQuery("", bars()), "non-empty str name"),
        (lambda: orm.ContinuousQuery("a\x00", bars()), "cannot be written"),
    ],
)
def test_a_bad_continuous_query_is_refused_naming_it(make: object, message: str) -> None:
    with pytest.raises(orm.ValidationError, match=message):
        make()  # type: ignore[operator]


def test_a_float_the_server_keeps_is_accepted() -> None:
    assert '"price" > 1.25' in orm.ContinuousQuery("c", bars(price__gt=1.25)).select
