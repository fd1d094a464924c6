"""Declaring models: schema contents and declaration errors raised at class creation."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs
import pytest
from model_examples import Event, Level, Reading, Side, Tick, Trade

import influxorm as orm
from influxorm.exceptions import ModelDefinitionError, QueryBuildError
from influxorm.models.schema import ColumnKind, schema_of


def test_schema_of_trade() -> None:
    schema = schema_of(Trade)
    assert schema.measurement == "trades"
    assert schema.model is Trade
    assert schema.time.attr == "time"
    assert schema.time.python_type is datetime
    assert schema.time.value_type is int
    assert [c.key for c in schema.tags] == ["instrument", "side"]
    side = schema.column("side")
    assert side.kind is ColumnKind.TAG
    assert side.python_type is Side
    assert side.value_type is str
    assert side.is_enum
    note = schema.column("note")
    assert note.optional
    assert note.python_type is str
    assert (
        schema_of(
            Trade(
                time=datetime(2024, 1, 1),
                instrument="A",
                side=Side.BUY,
                price=1.0,
                size=1,
                trade_id="x",
            )
        )
        is schema
    )


def test_schema_options_and_keys() -> None:
    schema = schema_of(Tick)
    assert (schema.database, schema.retention_policy) == ("market", "week")
    assert schema.column("bid").key == "bid price"
    assert schema.column("bid price").attr == "bid"
    assert schema.time.python_type.__name__ == "Timestamp"
    assert schema_of(Event).measurement == "Event"
    assert schema_of(Event).fields == ()
    assert schema_of(Reading).extra_tags == (("site", "lab 1"),)
    assert schema_of(Reading).column("level").value_type is int
    assert schema_of(Reading).column("level").python_type is Level


def test_column_lookup_names_the_model() -> None:
    with pytest.raises(QueryBuildError, match=r"Trade has no column 'nope'.*instrument"):
        schema_of(Trade).column("nope")


def test_schema_of_refuses_the_base_and_other_types() -> None:
    with pytest.raises(ModelDefinitionError):
        schema_of(orm.Measurement)
    with pytest.raises(ModelDefinitionError):
        schema_of(int)


def _declare(body: dict[str, Any], annotations: dict[str, Any], **options: Any) -> type:
    namespace = {"__annotations__": annotations, "__module__": __name__, **body}
    return type(orm.Measurement)("Bad", (orm.Measurement,), namespace, **options)


class Mixed(enum.Enum):
    A = "a"
    B = 1


class IntTag(enum.Enum):
    A = 1


class Empty(enum.Enum):
    pass


@pytest.mark.parametrize(
    ("annotations", "body", "options", "message"),
    [
        ({"x": float}, {"x": orm.field()}, {}, "exactly one time column"),
        (
            {"t": int, "u": int},
            {"t": orm.time(), "u": orm.time()},
            {},
            "exactly one time column.*t, u",
        ),
        ({"time": float}, {"time": orm.time()}, {}, "time column must be declared"),
        (
            {"time": int, "t": int},
            {"time": orm.time(), "t": orm.tag()},
            {},
            "a tag must be declared str",
        ),
        (
            {"time": int, "f": list},
            {"time": orm.time(), "f": orm.field()},
            {},
            "a field must be declared",
        ),
        (
            {"time": int, "f": int | str},
            {"time": orm.time(), "f": orm.field()},
            {},
            "a field must be declared",
        ),
        ({"time": int, "t": IntTag}, {"time": orm.time(), "t": orm.tag()}, {}, "str values"),
        (
            {"time": int, "f": Mixed},
            {"time": orm.time(), "f": orm.field()},
            {},
            "values of one type",
        ),
        (
            {"time": int, "f": Empty},
            {"time": orm.time(), "f": orm.field()},
            {},
            "values of one type",
        ),
        (
            {"time": int, "f": float},
            {"time": orm.time(), "f": orm.field(name="time")},
            {},
            "'time' cannot be a field key",
        ),
        ({"time": int, "t": str}, {"time": orm.time(), "t": orm.tag(name="a\nb")}, {}, "line feed"),
        (
            {"time": int, "a": str, "b": float},
            {"time": orm.time(), "a": orm.tag(name="k"), "b": orm.field(name="k")},
            {},
            "already used by Bad.a",
        ),
        (
            {"time": int, "a": str},
            {"time": orm.time(), "a": orm.tag()},
            {"extra_tags": {"a": "x"}},
            "already a column",
        ),
        (
            {"time": int, "a": str},
            {"time": orm.time(), "a": orm.tag()},
            {"extra_tags": {"e": ""}},
            "non-empty str",
        ),
        (
            {"time": int, "a": str},
            {"time": orm.time(), "a": orm.tag()},
            {"extra_tags": {"time": "x"}},
            "'time'",
        ),
        (
            {"time": int, "a": str},
            {"time": orm.time(), "a": orm.tag()},
            {"name": "#x"},
            "start with '#'",
        ),
        ({"time": int, "a": str}, {"time": orm.time(), "a": orm.tag()}, {"name": ""}, "empty"),
    ],
)
def test_declaration_errors(
    annotations: dict[str, Any], body: dict[str, Any], options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ModelDefinitionError, match=message):
        _declare(body, annotations, **options)


def test_unknown_class_keyword_is_refused() -> None:
    with pytest.raises(TypeError):
        _declare({"time": orm.time()}, {"time": int}, nmae="x")


def test_unmarked_attributes_are_fields_and_time() -> None:
    cls = _declare({}, {"time": int, "price": float})
    schema = schema_of(cls)
    assert schema.time.attr == "time"
    assert [c.key for c in schema.fields] == ["price"]


def test_default_and_default_factory() -> None:
    cls = _declare(
        {"time": orm.time(), "tags": orm.field(default_factory=lambda: "made")},
        {"time": int, "tags": str},
    )
    assert cls(time=1).tags == "made"
    with pytest.raises(TypeError, match="not both"):
        orm.field(default=1, default_factory=int)


def test_instances_are_slotted_keyword_only_attrs_classes() -> None:
    assert attrs.has(Trade)
    t = Trade(
        time=datetime(2024, 1, 1), instrument="A", side=Side.BUY, price=1.0, size=1, trade_id="x"
    )
    assert not hasattr(t, "__dict__")
    with pytest.raises(TypeError):
        Trade(datetime(2024, 1, 1), "A", Side.BUY, 1.0, 1, "x")  # type: ignore[misc]
    assert t == Trade(
        time=datetime(2024, 1, 1), instrument="A", side=Side.BUY, price=1.0, size=1, trade_id="x"
    )


def test_subclass_inherits_columns_and_options() -> None:
    class Base(orm.Measurement, database="db", extra_tags={"a": "1", "b": "2"}):
        time: int = orm.time()
        host: str = orm.tag()

    class Child(Base, extra_tags={"b": "3"}):
        load: float = orm.field()

    schema = schema_of(Child)
    assert schema.measurement == "Child"
    assert schema.database == "db"
    assert schema.extra_tags == (("a", "1"), ("b", "3"))
    assert [c.attr for c in schema.columns] == ["time", "host", "load"]
    assert schema_of(Base).measurement == "Base"
    assert Child(time=1, host="h", load=0.5).to_lineprotocol() == b"Child,a=1,b=3,host=h load=0.5 1"


def test_instance_helpers() -> None:
    t = Trade(
        time=datetime(2024, 1, 1), instrument="A", side=Side.BUY, price=1.0, size=1, trade_id="x"
    )
    assert t["instrument"] == "A"
    assert t["side"] is Side.BUY
    assert Tick(time=None, symbol="s", bid=1.0)["bid price"] == 1.0  # type: ignore[arg-type]
    with pytest.raises(KeyError):
        t["nope"]
    assert t.to_dict() == {
        "time": datetime(2024, 1, 1),
        "instrument": "A",
        "side": Side.BUY,
        "price": 1.0,
        "size": 1,
        "trade_id": "x",
        "note": None,
    }


def test_objects_is_made_by_the_registered_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    from influxorm.models import measurement

    seen: list[type] = []

    def factory(model: type) -> str:
        seen.append(model)
        return f"query of {model.__name__}"

    monkeypatch.setattr(measurement, "_query_factory", measurement._query_factory)
    measurement._register_query_factory(factory)
    assert Trade.objects == "query of Trade"  # type: ignore[comparison-overlap]
    assert seen == [Trade]
    t = Trade(
        time=datetime(2024, 1, 1), instrument="A", side=Side.BUY, price=1.0, size=1, trade_id="x"
    )
    with pytest.raises(AttributeError, match="model class"):
        t.objects  # noqa: B018
