"""JSON and msgpack answers of influxd decode to the same objects (``as_json=True``).

The one difference kept: a whole float is a float in msgpack and an int in JSON
(``1`` for 1.0), which is better. See :mod:`influxorm.results.decoding`.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from influxorm.exceptions import QueryError
from influxorm.results.decoding import JSON, MSGPACK, ResponseDecoder
from influxorm.testing import InfluxDBServer

LINES = "\n".join(
    [
        'm,k=a f=1.0,g=2.5,i=3i,b=true,s="x" -1500000000',
        'm,k=b f=2.0,s="line\\nbreak \\"q\\" é" 2000000000',
        "m,k=a f=-0.5,i=-7i,b=false 3000000001",
        "n v=1 3",
    ]
)

QUERIES = [
    'SELECT * FROM "m"',
    'SELECT * FROM "m" GROUP BY "k"',
    'SELECT "f", "s" FROM "m" WHERE "k" = \'a\' ORDER BY time DESC',
    'SELECT * FROM "m"; SELECT * FROM "n"',
    'SELECT mean("f"), sum("i"), count("s") FROM "m" WHERE time >= 0 AND time < 4s '
    "GROUP BY time(1s)",
    'SELECT count(*) FROM "m"',
    'SELECT * FROM "nothing"',
    "SHOW MEASUREMENTS",
    "SHOW TAG KEYS",
    'SHOW TAG VALUES WITH KEY = "k"',
    "SHOW FIELD KEYS",
    "SHOW SERIES",
    "SHOW RETENTION POLICIES",
]


@pytest.fixture(scope="module")
def db(influxdb_server: InfluxDBServer) -> Iterator[tuple[str, str]]:
    name = f"wire_{uuid.uuid4().hex[:8]}"
    influxdb_server.execute(f'CREATE DATABASE "{name}"')
    request = urllib.request.Request(f"{influxdb_server.url}/write?db={name}", data=LINES.encode())
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204
    yield influxdb_server.url, name
    influxdb_server.execute(f'DROP DATABASE "{name}"')


def fetch(
    where: tuple[str, str], q: str, accept: str, *, epoch: str | None, chunked: bool
) -> list[dict[str, Any]]:
    url, db = where
    params = {"db": db, "q": q}
    if epoch:
        params["epoch"] = epoch
    if chunked:
        params |= {"chunked": "true", "chunk_size": "1"}
    request = urllib.request.Request(
        f"{url}/query?{urllib.parse.urlencode(params)}", headers={"Accept": accept}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        content_type = response.headers["Content-Type"]
        body = response.read()
    assert content_type == accept
    decoder = ResponseDecoder(content_type, q, chunked=chunked, as_json=True)
    objects = decoder.feed(body) + decoder.close()
    assert objects
    return objects


def assert_same(from_json: Any, from_msgpack: Any, where: str = "") -> int:
    """Equal, type for type, but for whole floats; returns how many of those were seen."""
    if isinstance(from_json, dict):
        assert type(from_msgpack) is dict, where
        assert list(from_json) == list(from_msgpack), where
        return sum(assert_same(v, from_msgpack[k], f"{where}.{k}") for k, v in from_json.items())
    if isinstance(from_json, list):
        assert type(from_msgpack) is list, where
        assert len(from_json) == len(from_msgpack), where
        return sum(
            assert_same(a, b, f"{where}[{i}]")
            for i, (a, b) in enumerate(zip(from_json, from_msgpack, strict=True))
        )
    if type(from_json) is int and type(from_msgpack) is float:
        assert from_json == from_msgpack, where
        return 1
    assert type(from_json) is type(from_msgpack), (where, from_json, from_msgpack)
    assert from_json == from_msgpack, where
    return 0


@pytest.mark.parametrize("chunked", [False, True], ids=["plain", "chunked"])
@pytest.mark.parametrize("epoch", ["ns", None], ids=["ns", "rfc3339"])
def test_json_and_msgpack_decode_alike(
    db: tuple[str, str], epoch: str | None, chunked: bool
) -> None:
    whole_floats = 0
    for q in QUERIES:
        from_json = fetch(db, q, JSON, epoch=epoch, chunked=chunked)
        from_msgpack = fetch(db, q, MSGPACK, epoch=epoch, chunked=chunked)
        whole_floats += assert_same(from_json, from_msgpack, q)
    assert whole_floats >= 2  # f=1.0 and f=2.0 are floats only in msgpack


def test_times_without_epoch_are_rfc3339_strings(db: tuple[str, str]) -> None:
    [response] = fetch(db, 'SELECT "f" FROM "m"', MSGPACK, epoch=None, chunked=False)
    times = [row[0] for row in response["results"][0]["series"][0]["values"]]
    assert times == [
        "1969-12-31T23:59:58.5Z",
        "1970-01-01T00:00:02Z",
        "1970-01-01T00:00:03.000000001Z",
    ]


ERROR_AFTER_GOOD = 'SELECT "f" FROM "m"; SELECT "f" FROM "m" WHERE time > \'not a time\''


@pytest.mark.parametrize("chunked", [False, True], ids=["plain", "chunked"])
def test_errors_read_alike(db: tuple[str, str], chunked: bool) -> None:
    raised = []
    for accept in (JSON, MSGPACK):
        with pytest.raises(QueryError) as info:
            fetch(db, ERROR_AFTER_GOOD, accept, epoch="ns", chunked=chunked)
        raised.append(info.value)
    from_json, from_msgpack = raised
    assert from_json.server_message == from_msgpack.server_message
    assert from_json.statement == from_msgpack.statement == ERROR_AFTER_GOOD
    assert "statement #1: invalid operation" in str(from_json)
    if chunked:
        # An error result in msgpack has no statement_id, and a chunk holds one statement.
        assert str(from_msgpack) == str(from_json).replace("statement #1: ", "")
    else:
        assert str(from_msgpack) == str(from_json)
