"""The configuration file of a throwaway ``influxd``: rendering only, no I/O."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "ConfigValue",
    "continuous_query_settings",
    "merge_config",
    "render_config",
    "throwaway_config",
]

ConfigValue = str | int | float | bool

# Sections that influxd 1.x reads as TOML arrays of tables (``[[graphite]]``).
_ARRAY_SECTIONS = frozenset({"graphite", "collectd", "opentsdb", "udp"})

# A duration as influxd's config reads it (Go's time.ParseDuration, one unit).
_DURATION = re.compile(r"\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h)")


def throwaway_config(
    root: Path,
    *,
    http_port: int,
    rpc_port: int,
    auth_enabled: bool,
    continuous_queries: Mapping[str, ConfigValue] | None = None,
) -> dict[str, dict[str, ConfigValue]]:
    """The settings of a private server whose every file lives under ``root``.

    HTTP listens on 127.0.0.1 only, next to a unix socket in ``root``; every other
    listener and background service that 1.6 allows to be turned off is off (the admin UI
    no longer exists in 1.6 and hinted handoff is not part of the open-source server),
    continuous queries included unless ``continuous_queries`` (from
    :func:`continuous_query_settings`) turns them on. Section ``""`` holds the top-level keys.
    """
    return {
        "": {
            "reporting-disabled": True,
            # The backup/restore RPC service cannot be turned off: keep it private and unique.
            "bind-address": f"127.0.0.1:{rpc_port}",
        },
        "meta": {"dir": str(root / "meta"), "logging-enabled": False},
        "data": {
            "dir": str(root / "data"),
            "wal-dir": str(root / "wal"),
            "query-log-enabled": False,
            "wal-fsync-delay": "0s",
        },
        "monitor": {"store-enabled": False},
        "subscriber": {"enabled": False},
        "continuous_queries": dict(continuous_queries or continuous_query_settings(False)),
        "ifql": {"enabled": False},
        "http": {
            "enabled": True,
            "bind-address": f"127.0.0.1:{http_port}",
            "auth-enabled": auth_enabled,
            "log-enabled": False,
            "pprof-enabled": False,
            "https-enabled": False,
            "unix-socket-enabled": True,
            "bind-socket": str(root / "influxd.sock"),
        },
        "logging": {"level": "info", "suppress-logo": True},
        "graphite": {"enabled": False},
        "collectd": {"enabled": False},
        "opentsdb": {"enabled": False},
        "udp": {"enabled": False},
    }


def continuous_query_settings(
    enabled: bool, run_interval: str | None = None
) -> dict[str, ConfigValue]:
    """The ``[continuous_queries]`` section: ``enabled``, and ``run-interval`` if given.

    ``run_interval`` (e.g. ``"1s"``, influxd's default, or ``"500ms"``) is how often the
    CQ service checks for a continuous query due to run. Raises ValueError for a value
    that is not one duration, or for an interval without ``enabled``.
    """
    settings: dict[str, ConfigValue] = {"enabled": enabled}
    if run_interval is not None:
        if not enabled:
            raise ValueError("cq_run_interval needs continuous_queries=True")
        if not isinstance(run_interval, str) or not _DURATION.fullmatch(run_interval):
            raise ValueError(
                f"cq_run_interval must be a duration such as '1s' or '500ms', not {run_interval!r}"
            )
        settings["run-interval"] = run_interval
    return settings


def merge_config(
    base: Mapping[str, Mapping[str, ConfigValue]],
    extra: Mapping[str, Mapping[str, ConfigValue]] | None,
) -> dict[str, dict[str, ConfigValue]]:
    """``base`` with ``extra``'s keys added or replaced, section by section."""
    merged = {section: dict(values) for section, values in base.items()}
    for section, values in (extra or {}).items():
        merged.setdefault(section, {}).update(values)
    return merged


def render_config(config: Mapping[str, Mapping[str, ConfigValue]]) -> str:
    """TOML text for ``config`` (section -> {key: value}; section ``""`` is top level)."""
    lines = [_render_pair(key, value) for key, value in config.get("", {}).items()]
    for section, values in config.items():
        if not section:
            continue
        header = f"[[{section}]]" if section in _ARRAY_SECTIONS else f"[{section}]"
        lines.extend(["", header])
        lines.extend(f"  {_render_pair(key, value)}" for key, value in values.items())
    return "\n".join(lines) + "\n"


def _render_pair(key: str, value: ConfigValue) -> str:
    return f"{key} = {_render_value(value)}"


def _render_value(value: ConfigValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
