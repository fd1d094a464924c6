"""Rendering of the throwaway server's config file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from influxorm.testing.config import (
    continuous_query_settings,
    merge_config,
    render_config,
    throwaway_config,
)


def _config(auth: bool = False) -> dict[str, dict[str, object]]:
    return throwaway_config(Path("/tmp/x"), http_port=1234, rpc_port=5678, auth_enabled=auth)  # type: ignore[return-value]


def test_rendered_config_is_valid_toml_with_array_sections() -> None:
    parsed = tomllib.loads(
        render_config(
            throwaway_config(Path("/tmp/x"), http_port=1234, rpc_port=5678, auth_enabled=True)
        )
    )
    assert parsed["reporting-disabled"] is True
    assert parsed["bind-address"] == "127.0.0.1:5678"
    assert parsed["http"]["bind-address"] == "127.0.0.1:1234"
    assert parsed["http"]["auth-enabled"] is True
    assert parsed["http"]["bind-socket"] == "/tmp/x/influxd.sock"
    assert parsed["data"]["wal-dir"] == "/tmp/x/wal"
    assert parsed["monitor"]["store-enabled"] is False
    assert parsed["graphite"] == [{"enabled": False}]
    assert parsed["udp"] == [{"enabled": False}]


def test_merge_adds_and_replaces_keys_per_section() -> None:
    base = throwaway_config(Path("/r"), http_port=1, rpc_port=2, auth_enabled=False)
    merged = merge_config(base, {"http": {"max-body-size": 1000}, "coordinator": {"x": "y"}})
    assert merged["http"]["max-body-size"] == 1000
    assert merged["http"]["bind-address"] == "127.0.0.1:1"
    assert merged["coordinator"] == {"x": "y"}
    assert "max-body-size" not in base["http"]


def test_strings_are_escaped() -> None:
    text = render_config({"s": {"a": 'q"b\\c\nd', "n": 1.5, "i": 3}})
    assert tomllib.loads(text)["s"] == {"a": 'q"b\\c\nd', "n": 1.5, "i": 3}


def test_continuous_queries_are_off_unless_asked_for() -> None:
    assert tomllib.loads(render_config(_config()))["continuous_queries"] == {"enabled": False}
    on = throwaway_config(
        Path("/tmp/x"),
        http_port=1,
        rpc_port=2,
        auth_enabled=False,
        continuous_queries=continuous_query_settings(True, "500ms"),
    )
    assert tomllib.loads(render_config(on))["continuous_queries"] == {
        "enabled": True,
        "run-interval": "500ms",
    }
    assert continuous_query_settings(True) == {"enabled": True}


@pytest.mark.parametrize("interval", ["1", "1 s", "s", "1s; x", '1s"\nenabled = false', "-1s"])
def test_a_run_interval_that_is_not_one_duration_is_refused(interval: str) -> None:
    with pytest.raises(ValueError, match="cq_run_interval must be a duration"):
        continuous_query_settings(True, interval)


def test_a_run_interval_without_continuous_queries_is_refused() -> None:
    with pytest.raises(ValueError, match="needs continuous_queries=True"):
        continuous_query_settings(False, "1s")
