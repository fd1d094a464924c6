"""What InfluxQL cannot spell is refused naming the value, before anything is sent
(a NUL used to reach influxd and come back as a parse error)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import influxorm as orm
from influxorm.session import Session

CALLS: list[tuple[str, Callable[[Session], object]]] = [
    ("create database", lambda s: s.create_database("a\x00b")),
    ("drop database", lambda s: s.drop_database("a\x00b")),
    ("show tag keys", lambda s: s.show_tag_keys("m\x00")),
    ("show tag values", lambda s: s.show_tag_values("k\x00", "m")),
    ("show series", lambda s: s.show_series("m", tags={"k": "v\x00"})),
    ("drop measurement", lambda s: s.drop_measurement("m\x00")),
    ("create user", lambda s: s.create_user("u\x00", "pw")),
    ("retention policy", lambda s: s.create_retention_policy("r\x00", duration="1h")),
]


@pytest.mark.parametrize(("call"), [pytest.param(c, id=i) for i, c in CALLS])
def test_nul_is_refused_naming_the_value(
    influxdb_session: Session, call: Callable[[Session], object]
) -> None:
    databases = influxdb_session.show_databases()
    with pytest.raises(orm.QueryBuildError, match="NUL") as info:
        call(influxdb_session)
    assert "\\x00" in str(info.value)  # the value, as repr() shows it
    assert influxdb_session.show_databases() == databases


@pytest.mark.parametrize("password", ["p\x00w-secret", "p\rw-secret", "p\ud800-secret"])
def test_an_unspellable_password_is_refused_without_quoting_it(
    influxdb_session: Session, password: str
) -> None:
    for call in (
        lambda: influxdb_session.create_user("someone", password),
        lambda: influxdb_session.set_password("someone", password),
    ):
        with pytest.raises(orm.ValidationError, match="password is not shown") as info:
            call()
        assert "secret" not in str(info.value)
        assert "secret" not in repr(info.value)
    assert "someone" not in [u["user"] for u in influxdb_session.show_users()]
