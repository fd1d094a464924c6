"""A throwaway ``influxd`` for tests: private files, private ports, stopped by its own pid."""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import weakref
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from influxorm.exceptions import InfluxORMError
from influxorm.query import statements
from influxorm.redaction import scrub_server_message, split_statement
from influxorm.testing.config import (
    ConfigValue,
    continuous_query_settings,
    merge_config,
    render_config,
    throwaway_config,
)

__all__ = ["InfluxDBServer", "InfluxDBServerError"]

logger = logging.getLogger("influxorm.testing")

_PORT_ATTEMPTS = 3


class InfluxDBServerError(InfluxORMError):
    """The throwaway influxd could not be started, queried or stopped."""


class InfluxDBServer:
    """A throwaway InfluxDB 1.x server, for tests and demos.

    It runs the ``influxd`` found on ``PATH`` (or ``binary``) with a generated config:
    meta, data and WAL directories, the config, the log and a unix socket all live in one
    fresh temporary folder; HTTP listens on 127.0.0.1 on a free port; reporting and every
    other listener and background service are off -- continuous queries too, unless
    ``continuous_queries=True`` (with ``cq_run_interval``, how often influxd checks for a
    CQ due to run: ``"1s"`` by default). Leaving the ``with`` block (or
    :meth:`close`) stops the process by its own pid (SIGTERM, then SIGKILL after
    ``stop_timeout``) and removes the folder. It needs no event loop, so it can be used from
    async code as well::

        with InfluxDBServer() as server:
            async with AsyncSession(server.url, database="test") as session:
                ...

    ``auth_enabled=True`` turns authentication on and creates an admin user whose
    credentials are :attr:`username` and :attr:`password`. ``extra_config`` maps a config
    section to keys merged into the generated file, e.g. ``{"http": {"max-body-size":
    1000}}`` (section ``""`` holds top-level keys). ``tls_certificate`` (a PEM file,
    with ``tls_private_key`` if the key is separate) serves HTTPS instead of HTTP; the
    server's own checks then skip certificate verification. :meth:`stop`, :meth:`start` and
    :meth:`restart` keep the port, the socket and the data.

    The pytest plugin :mod:`influxorm_pytest` offers it as fixtures.
    """

    def __init__(
        self,
        *,
        auth_enabled: bool = False,
        extra_config: Mapping[str, Mapping[str, ConfigValue]] | None = None,
        binary: str | os.PathLike[str] | None = None,
        startup_timeout: float = 30.0,
        stop_timeout: float = 10.0,
        tls_certificate: str | os.PathLike[str] | None = None,
        tls_private_key: str | os.PathLike[str] | None = None,
        continuous_queries: bool = False,
        cq_run_interval: str | None = None,
    ) -> None:
        self._auth_enabled = auth_enabled
        self._continuous_queries = continuous_query_settings(continuous_queries, cq_run_interval)
        self._tls = (
            (os.fspath(tls_certificate), os.fspath(tls_private_key or tls_certificate))
            if tls_certificate is not None
            else None
        )
        self._extra_config = {section: dict(keys) for section, keys in (extra_config or {}).items()}
        self._binary = binary
        self._startup_timeout = startup_timeout
        self._stop_timeout = stop_timeout
        self._username = "admin" if auth_enabled else None
        self._password = secrets.token_hex(16) if auth_enabled else None
        self._root: Path | None = None
        self._port: int | None = None
        self._rpc_port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None

    def __repr__(self) -> str:
        state = f"pid={self._process.pid}" if self.running and self._process else "stopped"
        return f"<InfluxDBServer {self._url_or_none() or 'not started'} {state}>"

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- properties -------------------------------------------------------------------

    @property
    def host(self) -> str:
        """The address HTTP listens on: always ``127.0.0.1``."""
        return "127.0.0.1"

    @property
    def port(self) -> int:
        """The HTTP port (chosen at the first start, kept across restarts)."""
        if self._port is None:
            raise InfluxDBServerError("the server has not been started")
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (``https`` with TLS), the URL to give a session."""
        scheme = "https" if self._tls else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def unix_socket(self) -> str:
        """Path of the unix socket the server also answers HTTP on."""
        return str(self.data_dir / "influxd.sock")

    @property
    def data_dir(self) -> Path:
        """The temporary folder holding everything: meta, data, wal, config, log, socket."""
        if self._root is None:
            raise InfluxDBServerError("the server has not been started")
        return self._root

    @property
    def log_path(self) -> Path:
        """The file receiving the server's output."""
        return self.data_dir / "influxd.log"

    @property
    def config_path(self) -> Path:
        """The generated config file."""
        return self.data_dir / "influxdb.conf"

    @property
    def username(self) -> str | None:
        """The admin user's name with ``auth_enabled=True``, else None."""
        return self._username

    @property
    def password(self) -> str | None:
        """The admin user's password with ``auth_enabled=True``, else None."""
        return self._password

    @property
    def pid(self) -> int | None:
        """The running server's process id, or None."""
        return self._process.pid if self.running and self._process else None

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self._process is not None and self._process.poll() is None

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        """Start the server (a no-op while it runs) and wait until it answers ``/ping``."""
        if self.running:
            return
        first_start = self._root is None
        if first_start:
            self._root = Path(tempfile.mkdtemp(prefix="influxorm-"))
            self._finalizer = weakref.finalize(self, _discard, None, self._root)
        for attempt in range(_PORT_ATTEMPTS):
            if first_start:
                self._port, self._rpc_port = _free_port(), _free_port()
            self._write_config()
            try:
                self._launch()
                break
            except InfluxDBServerError:
                if not first_start or attempt == _PORT_ATTEMPTS - 1:
                    raise
                if "address already in use" not in self.log_tail():
                    raise
                logger.info("port taken between choosing and binding it; trying others")
        if first_start and self._username is not None and self._password is not None:
            self.execute(
                statements.create_user(self._username, self._password, admin=True), auth=False
            )

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``stop_timeout``); keep its files."""
        process, self._process = self._process, None
        if process is not None:
            _terminate(process, self._stop_timeout)
            logger.info("stopped influxd pid %d", process.pid)
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self) -> None:
        """Stop and start again, on the same port, socket and data."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop the server and remove its temporary folder."""
        self.stop()
        if self._finalizer is not None:
            self._finalizer()
            self._finalizer = None

    # -- helpers ----------------------------------------------------------------------

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines of the server's log (empty if there is none)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except (OSError, InfluxDBServerError):
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def execute(self, statement: str, *, database: str | None = None, auth: bool = True) -> Any:
        """Run ``statement`` with a plain stdlib HTTP POST and return the parsed JSON.

        Independent of influxorm's sessions on purpose: fixtures use it to create and drop
        databases. Raises :class:`InfluxDBServerError` for any error the server reports.
        """
        form = {"q": statement} | ({"db": database} if database else {})
        # The admin's CREATE USER carries its password; influxd's messages may quote it.
        shown, secrets = split_statement(statement)
        request = urllib.request.Request(
            f"{self.url}/query",
            data=urllib.parse.urlencode(form).encode(),
            method="POST",
        )
        if auth and self._username is not None and self._password is not None:
            token = base64.b64encode(f"{self._username}:{self._password}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=30, context=_client_ssl()) as response:
                payload = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            detail = scrub_server_message(exc.read().decode(errors="replace"), secrets)
            raise InfluxDBServerError(f"{shown!r} failed: {exc.code} {detail}") from None
        except OSError as exc:
            raise InfluxDBServerError(f"{shown!r} failed: {exc}") from exc
        errors = [r["error"] for r in payload.get("results", []) if "error" in r]
        if "error" in payload:
            errors.append(payload["error"])
        if errors:
            detail = scrub_server_message("; ".join(errors), secrets)
            raise InfluxDBServerError(f"{shown!r} failed: {detail}")
        return payload

    # -- internals --------------------------------------------------------------------

    def _url_or_none(self) -> str | None:
        return self.url if self._port is not None else None

    def _write_config(self) -> None:
        assert self._port is not None
        assert self._rpc_port is not None
        config = throwaway_config(
            self.data_dir,
            http_port=self._port,
            rpc_port=self._rpc_port,
            auth_enabled=self._auth_enabled,
            continuous_queries=self._continuous_queries,
        )
        if self._tls is not None:
            certificate, key = self._tls
            config["http"].update(
                {"https-enabled": True, "https-certificate": certificate, "https-private-key": key}
            )
        self.config_path.write_text(render_config(merge_config(config, self._extra_config)))

    def _launch(self) -> None:
        binary = self._find_binary()
        # INFLUXDB_* variables would override the generated config.
        env = {k: v for k, v in os.environ.items() if not k.startswith("INFLUXDB_")}
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            [binary, "run", "-config", str(self.config_path)],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        assert self._finalizer is not None
        self._finalizer.detach()
        self._finalizer = weakref.finalize(self, _discard, self._process, self.data_dir)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        logger.info("influxd pid %d serving %s", self._process.pid, self.url)

    def _find_binary(self) -> str:
        if self._binary is not None:
            return os.fspath(self._binary)
        found = shutil.which("influxd")
        if found is None:
            raise InfluxDBServerError(
                "influxd (InfluxDB 1.x) is not on PATH: install it (Debian/Ubuntu: "
                "`apt-get install influxdb`, or run `scripts/ensure-influxd.sh`) "
                "or pass binary=..."
            )
        return found

    def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self._startup_timeout
        while True:
            code = self._process.poll()
            if code is not None:
                raise InfluxDBServerError(
                    f"influxd exited with status {code} while starting; log tail:\n"
                    f"{self.log_tail()}"
                )
            if _answers_ping(self.url):
                return
            if time.monotonic() > deadline:
                raise InfluxDBServerError(
                    f"influxd did not answer {self.url}/ping within {self._startup_timeout}s; "
                    f"log tail:\n{self.log_tail()}"
                )
            time.sleep(0.05)


def _client_ssl() -> ssl.SSLContext:
    """The test bed's own checks trust the throwaway server's certificate blindly."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _answers_ping(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/ping", timeout=1, context=_client_ssl()) as response:
            return bool(response.status == 204)
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _terminate(process: subprocess.Popen[bytes], grace: float) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _discard(process: subprocess.Popen[bytes] | None, root: Path) -> None:
    """Kill the process if still alive and remove the folder (also run at exit)."""
    if process is not None:
        _terminate(process, grace=5.0)
    shutil.rmtree(root, ignore_errors=True)
