"""Every code example of the documentation runs against a real throwaway influxd.

See :mod:`docs.pages` (and ``docs/contributing.md``) for the convention: the blocks of a
page run in order in one namespace holding ``url``, ``database`` and ``unix_socket``;
top-level ``await`` runs on the page's event loop; ``sh`` blocks run in bash with
``influxorm`` on PATH; ``<!-- docs-test: skip -->`` marks a block not to run. A failure
names the page and the line of the block, and the traceback shows the page's lines.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import os
import subprocess
import sys
import traceback
import types
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import influxorm as orm
from influxorm.testing import InfluxDBServer

from .pages import DOCS_DIR, Block, blocks, pages

REPO = DOCS_DIR.parent


@pytest.mark.parametrize(
    "page", pages(), ids=lambda p: p.relative_to(DOCS_DIR).as_posix().removesuffix(".md")
)
def test_page_examples(
    page: Path, influxdb_server: InfluxDBServer, influxdb_database: str, tmp_path: Path
) -> None:
    runnable = [b for b in blocks(page) if b.language in ("python", "py", "sh", "bash")]
    if not any(not b.skipped for b in runnable):
        pytest.skip(f"{page.name} has no runnable examples")
    module = types.ModuleType(f"docs_example_{uuid.uuid4().hex[:8]}")
    module.__dict__.update(
        url=influxdb_server.url, database=influxdb_database, unix_socket=influxdb_server.unix_socket
    )
    sys.modules[module.__name__] = module  # so type hints of example classes resolve
    env = _shell_env(influxdb_server.url, influxdb_database)
    workdir = tmp_path / "shell"
    workdir.mkdir()
    cwd = os.getcwd()
    os.chdir(workdir)  # files an example writes land in the test's temporary folder
    sys.path.insert(0, str(workdir))  # and modules written there are importable
    try:
        with asyncio.Runner() as runner:
            try:
                for block in runnable:
                    if block.skipped:
                        continue
                    if block.is_python:
                        _run_python(block, module, runner, influxdb_server)
                    else:
                        _run_shell(block, env, workdir)
            finally:
                _close_sessions(module, runner)
    finally:
        os.chdir(cwd)
        sys.path.remove(str(workdir))
        del sys.modules[module.__name__]


def _close_sessions(module: types.ModuleType, runner: asyncio.Runner) -> None:
    """Close the sessions a page left open (a failed block skips the page's own close)."""
    for value in list(module.__dict__.values()):
        if isinstance(value, orm.Session):
            value.close()
        elif isinstance(value, orm.AsyncSession):
            runner.run(value.aclose())


def _fail(block: Block, error: BaseException) -> None:
    details = "".join(traceback.format_exception(error))
    pytest.fail(f"{block.where}: the example failed\n\n{block.source}\n\n{details}", pytrace=False)


def _run_python(
    block: Block,
    module: types.ModuleType,
    runner: asyncio.Runner,
    server: InfluxDBServer,
) -> None:
    namespace = module.__dict__
    before = set(namespace)
    # Padding keeps line numbers those of the page, so tracebacks show the page's lines.
    source = "\n" * (block.line - 1) + block.source
    try:
        code = compile(
            source, str(block.page), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
        )
        if code.co_flags & inspect.CO_COROUTINE:
            runner.run(eval(code, namespace))
        else:
            exec(code, namespace)
        for name in sorted(set(namespace) - before):
            value = namespace[name]
            if name.startswith("test_") and inspect.isfunction(value):
                _call_test(value, runner, server)
    except Exception as error:
        failure: Exception | None = error
    else:
        failure = None
    if failure is not None:
        _fail(block, failure)


def _call_test(test: Callable[..., Any], runner: asyncio.Runner, server: InfluxDBServer) -> None:
    """Call a ``test_*`` function of an example as pytest would with influxorm's plugin:
    the fixtures it names, on a fresh database of its own."""
    names = list(inspect.signature(test).parameters)
    database = f"docs_test_{uuid.uuid4().hex[:12]}"
    simple = {
        "influxdb_database": database,
        "influxdb_url": server.url,
        "influxdb_server": server,
    }
    sessions = ("influxdb_session", "influxdb_async_session")
    unknown = [n for n in names if n not in simple and n not in sessions]
    if unknown:
        raise LookupError(f"{test.__name__} asks for fixtures the docs tests lack: {unknown}")
    kwargs = {n: simple[n] for n in names if n in simple}
    server.execute(f'CREATE DATABASE "{database}"')
    try:
        if inspect.iscoroutinefunction(test):

            async def call() -> None:
                if "influxdb_async_session" in names:
                    async with orm.AsyncSession(server.url, database=database) as async_:
                        await test(**kwargs, influxdb_async_session=async_)
                else:
                    await test(**kwargs)

            runner.run(call())
        elif "influxdb_session" in names:
            with orm.Session(server.url, database=database) as blocking:
                test(**kwargs, influxdb_session=blocking)
        else:
            test(**kwargs)
    finally:
        server.execute(f'DROP DATABASE "{database}"')


def _shell_env(url: str, database: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["INFLUXDB_URL"] = url
    env["INFLUXDB_DATABASE"] = database
    for name in ("INFLUXDB_USERNAME", "INFLUXDB_PASSWORD", "INFLUXDB_TOKEN"):
        env.pop(name, None)
    return env


def _run_shell(block: Block, env: dict[str, str], workdir: Path) -> None:
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", block.source],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"{block.where}: the shell example exited with {done.returncode}\n\n"
            f"{block.source}\n\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}",
            pytrace=False,
        )


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    """``mkdocs build --strict`` succeeds: nav complete, links and anchors resolve,
    mkdocstrings finds every documented object, no warnings at all."""
    try:
        import mkdocs  # noqa: F401
        import mkdocstrings  # noqa: F401
    except ImportError:
        pytest.skip("mkdocs/mkdocstrings are not installed (pip install -e '.[docs]')")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "WARNING" not in output, output
    assert (tmp_path / "site" / "index.html").is_file()
