"""The pytest plugin as a user's project meets it: a project outside the repo, run by
pytest in a subprocess with the installed package (this virtualenv's)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PYTEST_INI = """\
[pytest]
asyncio_default_fixture_loop_scope = function
filterwarnings = error
"""

USES_THE_FIXTURES = """
import pytest

import influxorm as orm


def test_blocking(influxdb_session, influxdb_database, influxdb_url, influxdb_server):
    assert influxdb_session.database == influxdb_database
    assert influxdb_url == influxdb_server.url
    assert influxdb_session.write("m v=1 1") == 1
    result = influxdb_session.query('SELECT count("v") FROM "m"')
    assert result["results"][0]["series"][0]["values"][0][1] == 1


def test_each_test_has_its_own_database(influxdb_session):
    assert influxdb_session.show_measurements() == []


@pytest.mark.asyncio
async def test_async(influxdb_async_session, influxdb_database):
    assert isinstance(influxdb_async_session, orm.AsyncSession)
    assert await influxdb_async_session.write("m v=2 2", db=influxdb_database) == 1
"""

OWN_FIXTURES_CONFTEST = """
import pytest


@pytest.fixture
def database():
    return "postgresql://localhost/app"


@pytest.fixture
def session(database):
    return {"connected_to": database}


@pytest.fixture
def async_session():
    return "mine"
"""

OWN_FIXTURES_TESTS = """
def test_my_fixtures_are_mine(session, database, async_session):
    assert database == "postgresql://localhost/app"
    assert session == {"connected_to": "postgresql://localhost/app"}
    assert async_session == "mine"


def test_next_to_influxorms(session, influxdb_session, influxdb_database):
    assert session == {"connected_to": "postgresql://localhost/app"}
    assert influxdb_session.database == influxdb_database
"""

NO_INFLUXORM_FIXTURES = """
import sys

# Collected with the plugin loaded, yet nothing of influxorm imported.
assert "influxorm_pytest" in sys.modules
assert not [name for name in sys.modules if name == "influxorm" or name.startswith("influxorm.")]


def test_nothing():
    pass
"""


def _project(root: Path, files: dict[str, str]) -> Path:
    root.mkdir()
    for name, text in {"pytest.ini": PYTEST_INI, **files}.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def _pytest(
    project: Path, *args: str, python_flags: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "INFLUXDB_"))}
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, *python_flags, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_project_without_conftest_uses_the_prefixed_fixtures(tmp_path: Path) -> None:
    project = _project(tmp_path / "app", {"test_app.py": USES_THE_FIXTURES})
    done = _pytest(project, "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout


def test_a_projects_own_session_and_database_fixtures_are_untouched(tmp_path: Path) -> None:
    project = _project(
        tmp_path / "app",
        {"conftest.py": OWN_FIXTURES_CONFTEST, "test_app.py": OWN_FIXTURES_TESTS},
    )
    done = _pytest(project, "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


# `-X importtime` lines: "import time: <self us> | <cumulative us> | <indented name>"
_IMPORT_TIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)$", re.MULTILINE)


def _is_influxorm(name: str) -> bool:
    return name.split(".")[0] in ("influxorm", "influxorm_pytest")


def _influxorm_imports(stderr: str) -> dict[str, int]:
    """Cumulative microseconds of the outermost influxorm imports in ``-X importtime``
    output (those not inside another influxorm module's; their sum is the whole cost)."""
    entries = [
        (len(indent) // 2, name, int(cumulative))
        for _, cumulative, indent, name in _IMPORT_TIME.findall(stderr)
    ]
    outermost: dict[str, int] = {}
    for index, (depth, name, cumulative) in enumerate(entries):
        if not _is_influxorm(name):
            continue
        # Children are printed before their parent: the parent is the next shallower line.
        level, inside = depth, False
        for later_depth, later_name, _ in entries[index + 1 :]:
            if later_depth < level:
                level = later_depth
                if _is_influxorm(later_name):
                    inside = True
                    break
                if level == 0:
                    break
        if not inside:
            outermost[name] = cumulative
    return outermost


def test_loading_the_plugin_imports_nothing_costly(tmp_path: Path) -> None:
    project = _project(tmp_path / "plain", {"test_plain.py": NO_INFLUXORM_FIXTURES})
    done = _pytest(project, "--co", "-q", python_flags=("-X", "importtime"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 test collected" in done.stdout
    assert len(_IMPORT_TIME.findall(done.stderr)) > 100  # the measurement was taken
    imports = _influxorm_imports(done.stderr)
    assert sum(imports.values()) < 50_000, imports

    # The same measurement sees the cost of a plugin importing influxorm's package.
    heavy = _pytest(
        project, "--co", "-q", "-p", "influxorm.testing", python_flags=("-X", "importtime")
    )
    assert sum(_influxorm_imports(heavy.stderr).values()) > 50_000


def test_the_plugin_module_itself_is_cheap() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            "import pytest, pytest_asyncio, influxorm_pytest",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    imports = _influxorm_imports(done.stderr)
    assert set(imports) == {"influxorm_pytest"}, imports
    assert imports["influxorm_pytest"] < 50_000


@pytest.mark.parametrize("name", ["session", "database", "async_session"])
def test_the_old_generic_names_are_not_defined(name: str, tmp_path: Path) -> None:
    project = _project(tmp_path / "old", {"test_old.py": f"def test_old({name}):\n    pass\n"})
    done = _pytest(project, "-q")
    assert done.returncode != 0
    assert f"fixture '{name}' not found" in done.stdout
