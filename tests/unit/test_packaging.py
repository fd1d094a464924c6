"""Package metadata: the version has one source and the license is an SPDX expression."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import influxorm

PYPROJECT = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))


def test_version_comes_from_the_installed_metadata() -> None:
    assert influxorm.__version__ == importlib.metadata.version("influxorm")
    assert influxorm.__version__ == PYPROJECT["project"]["version"]


def test_version_is_not_written_anywhere_else_in_the_package() -> None:
    version = PYPROJECT["project"]["version"]
    package = Path(influxorm.__file__).parent
    copies = [p for p in package.rglob("*.py") if version in p.read_text("utf-8")]
    assert copies == []


def test_license_is_an_spdx_expression_with_a_backend_that_reads_it() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    assert not any(c.startswith("License ::") for c in PYPROJECT["project"]["classifiers"])
    # setuptools reads `project.license` as a string (PEP 639) from version 77 on.
    requires = PYPROJECT["build-system"]["requires"]
    pinned = [r for r in requires if r.startswith("setuptools")]
    assert len(pinned) == 1
    match = re.fullmatch(r"setuptools>=(\d+)(?:\.\d+)*", pinned[0])
    assert match is not None
    assert int(match[1]) >= 77
    assert importlib.metadata.metadata("influxorm")["License-Expression"] == "MIT"
