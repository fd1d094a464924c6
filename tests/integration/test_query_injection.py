"""No value can change a statement: arbitrary text in tags and string fields is matched
exactly, and nothing outside the queried measurement is read or deleted."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import influxorm as orm
from influxorm.session import Session
from influxorm.testing import InfluxDBServer


class Item(orm.Measurement, name="items"):
    time: datetime = orm.time()
    key: str = orm.tag()
    label: str = orm.field()


class Bystander(orm.Measurement, name="bystander"):
    time: datetime = orm.time()
    key: str = orm.tag()
    label: str = orm.field()


HOSTILE = "'\"\\/;$-*\n\r\t#=, ()\u00e9\u2028\U0001f600"
texts = st.text(
    alphabet=st.one_of(
        st.sampled_from(HOSTILE),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    ),
    min_size=1,
    max_size=16,
)
# The line protocol cannot carry LF/CR in a tag value, nor a trailing backslash.
tag_values = texts.map(lambda s: s.replace("\n", " ").replace("\r", " ")).filter(
    lambda s: not s.endswith("\\") and s.strip() != "" and s == s.strip(" ")
)
T0 = datetime(2024, 1, 1, tzinfo=UTC)
_counter = itertools.count()


@pytest.fixture
def bystander_db(influxdb_server: InfluxDBServer, influxdb_session: Session) -> Iterator[str]:
    name = f"bystander_{next(_counter)}_{influxdb_session.database}"
    influxdb_session.create_database(name)
    with Session(
        influxdb_server.url,
        database=name,
        username=influxdb_server.username,
        password=influxdb_server.password,
    ) as other:
        other.write([Bystander(time=T0, key="k", label="v")])
    yield name
    influxdb_session.drop_database(name)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    keys=st.lists(tag_values, min_size=1, max_size=4, unique=True),
    labels=st.lists(texts, min_size=1, max_size=4),
    pick=st.integers(min_value=0),
)
def test_arbitrary_text_matches_exactly(
    influxdb_session: Session, bystander_db: str, keys: list[str], labels: list[str], pick: int
) -> None:
    influxdb_session.query('DROP MEASUREMENT "items"')
    items = [
        Item(
            time=T0 + timedelta(seconds=i),
            key=keys[i % len(keys)],
            label=labels[i % len(labels)],
        )
        for i in range(max(len(keys), len(labels)) * 2)
    ]
    influxdb_session.write(items)
    influxdb_session.write([Bystander(time=T0, key="k", label="v")])

    key = keys[pick % len(keys)]
    label = labels[pick % len(labels)]
    assert Item.objects.where(key=key).fetch() == [i for i in items if i.key == key]
    assert Item.objects.where(label=label).fetch() == [i for i in items if i.label == label]
    assert Item.objects.exclude(key=key).fetch() == [i for i in items if i.key != key]
    assert Item.objects.where(key__in=[key, "\\'--"]).count() == sum(i.key == key for i in items)

    Item.objects.where(key=key).delete()
    assert Item.objects.fetch() == [i for i in items if i.key != key]
    assert Bystander.objects.count() == 1
    other = influxdb_session.query("SELECT count(*) FROM bystander", db=bystander_db)
    assert other["results"][0]["series"][0]["values"][0][1] == 1
