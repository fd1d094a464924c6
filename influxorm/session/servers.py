"""Server generations: what each one offers through the v1 API, and which one a session has.

A session talks to InfluxDB 1.x OSS, 1.x Enterprise, 2.x/Cloud or InfluxDB 3 through the
same v1 endpoints (``/ping``, ``/write``, ``/query``), but they do not all offer the same
things. A :class:`ServerProfile` is the small declared table of those differences;
:data:`PROFILES` holds one per generation (sources in ``docs/servers.md``).
``server="auto"`` (the default) chooses one from the ``/ping`` answer
(:func:`profile_from_ping`), once per session, and only when a decision needs it.

:class:`ServerState` is a session's view: the profile asked for or found, and whether the
server refused a msgpack ``Accept`` (then every later query asks for JSON, whatever the
profile says). No I/O here: the session sends the ``/ping`` and hands its answer over.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, Literal, get_args

from influxorm.exceptions import (
    AuthenticationError,
    DatabaseNotFoundError,
    QueryError,
    ServerError,
    UnsupportedByServerError,
    ValidationError,
)
from influxorm.linescan import scale_timestamps

if TYPE_CHECKING:
    from influxorm.session.sender import Sender

logger = logging.getLogger("influxorm")

__all__ = [
    "CONSISTENCIES",
    "PROFILES",
    "SERVERS",
    "Consistency",
    "Feature",
    "ServerName",
    "ServerProfile",
    "ServerState",
    "check_consistency",
    "check_server",
    "identify",
    "needs_profile",
    "profile_from_ping",
    "resolve",
    "statement_feature",
]

ServerName = Literal["auto", "influxdb1", "enterprise", "influxdb2", "influxdb3"]
SERVERS: Final = frozenset(get_args(ServerName))

Feature = Literal["admin", "delete", "select_into"]
"""What a statement needs beyond SELECT and SHOW: administration (CREATE, DROP, ALTER,
GRANT, REVOKE, SET PASSWORD, KILL), deleting data (DELETE, DROP MEASUREMENT, DROP SERIES),
``SELECT ... INTO``."""

Consistency = Literal["any", "one", "quorum", "all"]
CONSISTENCIES: Final = get_args(Consistency)


@dataclasses.dataclass(frozen=True)
class ServerProfile:
    """What one server generation offers through the v1 API, and what to use instead.

    ``write_precisions`` maps each precision influxorm accepts to the value sent on the
    wire; a precision missing from it is converted to nanoseconds when ``ns_factors``
    has it (the timestamps of raw line protocol scaled exactly), else refused.
    ``error_shapes`` lists the error bodies the generation answers with (the parser reads
    them all, whatever the profile).
    """

    name: str
    title: str
    bound_parameters: bool
    msgpack: bool
    chunked: bool
    multiple_statements: bool
    admin_statements: bool
    delete_statements: bool
    select_into: bool
    query_in_url: bool
    write_precisions: Mapping[str, str]
    ns_factors: Mapping[str, int]
    consistency: bool
    error_shapes: tuple[str, ...]
    instead: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def supports(self, feature: Feature) -> bool:
        """Whether statements needing ``feature`` can be sent to this server."""
        if feature == "admin":
            return self.admin_statements
        if feature == "delete":
            return self.delete_statements
        return self.select_into

    def refusal(self, feature: str, what: str) -> UnsupportedByServerError:
        """The error for ``what`` (needing ``feature``), naming what to use instead."""
        instead = self.instead.get(feature, "")
        message = f"{self.title} (server={self.name!r}) does not support {what}"
        if instead:
            message += f": {instead}"
        return UnsupportedByServerError(message, server=self.name, feature=what, instead=instead)


_ALL_PRECISIONS: Final = {p: p for p in ("n", "u", "ms", "s", "m", "h")}

_V2_ADMIN: Final = (
    "InfluxDB 2.x has no databases, retention policies or users through InfluxQL: create a "
    "bucket (with its retention period) and a DBRP mapping "
    "(influx v1 dbrp create --db DB --rp RP --bucket-id ID --default), and manage tokens "
    "with the influx CLI or the /api/v2 API"
)
_V2_INTO: Final = (
    "InfluxDB 2.x has no SELECT INTO or continuous queries: use a task "
    "(Flux aggregateWindow() into a second bucket) to downsample"
)
_V3_ADMIN: Final = (
    "InfluxDB 3 answers only SELECT and SHOW on its v1 API: create databases (their "
    "retention period set at creation) with `influxdb3 create database` or "
    "POST /api/v3/configure/database, and tokens with `influxdb3 create token`"
)
_V3_DELETE: Final = (
    "InfluxDB 3 answers only SELECT and SHOW on its v1 API: delete tables or databases "
    "with `influxdb3 delete table|database` (Core/Enterprise), or let the retention "
    "period expire the data"
)
_V3_INTO: Final = (
    "InfluxDB 3 has no SELECT INTO or continuous queries: downsample with the Processing "
    "Engine's Downsampler plugin (Core/Enterprise) or a client-side job (Cloud)"
)
_V3_PARAMS: Final = (
    "the InfluxDB 3 v1 /query ignores params: use the query builder (values are written "
    "as quoted literals, query.inline_influxql), or a query pattern "
    "(session.set_query_pattern / session.query_pattern), which quotes every argument"
)
_V3_PRECISION: Final = (
    "write with precision 'n' (sent as ns), 'ms' or 's' (the values every InfluxDB 3 "
    "accepts); raw line protocol written with 'u', 'm' or 'h' is converted to ns"
)

_INFLUXDB1: Final = ServerProfile(
    name="influxdb1",
    title="InfluxDB 1.x OSS",
    bound_parameters=True,
    msgpack=True,
    chunked=True,
    multiple_statements=True,
    admin_statements=True,
    delete_statements=True,
    select_into=True,
    query_in_url=False,
    write_precisions=_ALL_PRECISIONS,
    ns_factors={},
    consistency=True,
    error_shapes=("influxdb1",),
)

PROFILES: Final[Mapping[str, ServerProfile]] = {
    "influxdb1": _INFLUXDB1,
    # Enterprise clusters speak the same API; the name tells users what was chosen.
    "enterprise": dataclasses.replace(
        _INFLUXDB1, name="enterprise", title="InfluxDB Enterprise 1.x"
    ),
    "influxdb2": ServerProfile(
        name="influxdb2",
        title="InfluxDB 2.x / Cloud (v1 compatibility API)",
        bound_parameters=True,
        msgpack=True,
        chunked=True,
        multiple_statements=True,
        admin_statements=False,
        delete_statements=True,
        select_into=False,
        query_in_url=False,
        write_precisions=_ALL_PRECISIONS,
        ns_factors={},
        consistency=False,
        error_shapes=("influxdb1", "influxdb2"),
        instead={"admin": _V2_ADMIN, "select_into": _V2_INTO},
    ),
    "influxdb3": ServerProfile(
        name="influxdb3",
        title="InfluxDB 3 (v1 compatibility API)",
        bound_parameters=False,
        msgpack=False,
        chunked=True,
        multiple_statements=False,
        admin_statements=False,
        delete_statements=False,
        select_into=False,
        query_in_url=True,
        write_precisions={"n": "ns", "ms": "ms", "s": "s"},
        ns_factors={"u": 1_000, "m": 60_000_000_000, "h": 3_600_000_000_000},
        consistency=False,
        error_shapes=("influxdb3", "influxdb2"),
        instead={
            "admin": _V3_ADMIN,
            "delete": _V3_DELETE,
            "select_into": _V3_INTO,
            "precision": _V3_PRECISION,
            "params": _V3_PARAMS,
        },
    ),
}


def check_server(server: object) -> ServerName:
    """``server`` if it names a profile or ``"auto"``; a ValidationError otherwise."""
    if not isinstance(server, str) or server not in SERVERS:
        raise ValidationError(
            f"unknown server {server!r}: use one of {', '.join(map(repr, sorted(SERVERS)))}",
            value=server,
        )
    return server  # type: ignore[return-value]


def check_consistency(consistency: object) -> Consistency | None:
    """``consistency`` if it is None or an Enterprise write consistency level."""
    if consistency is None or consistency in CONSISTENCIES:
        return consistency  # type: ignore[return-value]
    raise ValidationError(
        f"unknown consistency {consistency!r}: use one of {', '.join(CONSISTENCIES)}",
        value=consistency,
    )


def _header(headers: Mapping[str, str], name: str) -> str:
    # Header names are lowercase on InfluxDB 3; a plain dict may be in either case.
    for key, value in headers.items():
        if key.lower() == name:
            return value.strip()
    return ""


def profile_from_ping(status: int, headers: Mapping[str, str], body: bytes = b"") -> ServerProfile:
    """The profile a ``/ping`` answer identifies (``X-Influxdb-Version``, ``X-Influxdb-Build``).

    A 401/403 is InfluxDB 3 (the only generation whose ``/ping`` needs credentials); InfluxDB
    3.0.x sent no version header, only a JSON body with ``version``. A server that
    names no version it knows (InfluxDB Cloud 2, a proxy dropping the headers, a later
    generation) is taken as 1.x: what it does not support, it refuses itself.
    """
    if status in (401, 403):
        return PROFILES["influxdb3"]
    version = _header(headers, "x-influxdb-version").lstrip("vV")
    build = _header(headers, "x-influxdb-build").lower()
    if not version and body:
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if isinstance(payload, dict) and isinstance(payload.get("version"), str):
            version = payload["version"].lstrip("vV")
    found = re.match(r"\d+", version)
    major = found.group() if found else ""
    if major == "3" or (not major and build in ("core", "enterprise")):
        return PROFILES["influxdb3"]
    if major == "2":
        return PROFILES["influxdb2"]
    if build in ("ent", "enterprise") and major in ("", "1"):
        return PROFILES["enterprise"]
    return PROFILES["influxdb1"]


_CQ: Final = re.compile(r"\s*CREATE\s+CONTINUOUS\b", re.IGNORECASE)
_ADMIN: Final = re.compile(r"\s*(CREATE|ALTER|GRANT|REVOKE|SET|KILL)\b", re.IGNORECASE)
_DELETE: Final = re.compile(r"\s*(DELETE|DROP\s+(MEASUREMENT|SERIES|SHARD))\b", re.IGNORECASE)
_DROP: Final = re.compile(r"\s*DROP\b", re.IGNORECASE)


def statement_feature(statement: str) -> Feature | None:
    """What ``statement`` needs beyond SELECT/SHOW, judged by its leading keywords."""
    if _CQ.match(statement):
        return "select_into"
    if _DELETE.match(statement):
        return "delete"
    if _ADMIN.match(statement) or _DROP.match(statement):
        return "admin"
    return None


_MSGPACK_REFUSED: Final = re.compile(r"mime|accept|msgpack", re.IGNORECASE)
_DBRP_NOTE: Final = (
    "(InfluxDB 2.x: a v1 database is a DBRP mapping to a bucket; create one with "
    "`influx v1 dbrp create --db DB --rp RP --bucket-id BUCKET_ID --default`)"
)
_TOKEN_NOTE: Final = (
    "(InfluxDB 2.x: authenticate with token=API_TOKEN (Authorization: Token), or with "
    "username=ANY and password=API_TOKEN, or a v1 user created with `influx v1 auth create`)"
)


class ServerState:
    """A session's server: the profile asked for, or the one ``/ping`` identified."""

    __slots__ = ("msgpack_refused", "profile", "requested")

    def __init__(self, server: object = "auto") -> None:
        self.requested: ServerName = check_server(server)
        self.profile: ServerProfile | None = (
            None if self.requested == "auto" else PROFILES[self.requested]
        )
        self.msgpack_refused = False

    def __repr__(self) -> str:
        found = self.profile.name if self.profile else "not yet known"
        return f"<ServerState requested={self.requested!r} profile={found}>"

    @property
    def known(self) -> bool:
        """Whether the profile is known (given, or found by ``/ping``)."""
        return self.profile is not None

    def found(self, profile: ServerProfile) -> None:
        """Record the profile ``/ping`` identified."""
        self.profile = profile

    def current(self) -> ServerProfile:
        """The profile, or 1.x OSS's while an ``auto`` session has not needed to know."""
        return self.profile or PROFILES["influxdb1"]

    # -- decisions --------------------------------------------------------------------

    def wants_msgpack(self) -> bool:
        """Whether queries may ask for msgpack (the profile allows it and the server did
        not refuse it)."""
        return not self.msgpack_refused and self.current().msgpack

    def refuses_msgpack(self, error: ServerError) -> bool:
        """Whether ``error`` (the answer to a query asking for msgpack) is the server
        refusing the ``Accept`` header: 406, 400 naming the mime type, or InfluxDB 3's
        500 ``invalid mime type``. Recorded: later queries ask for JSON."""
        refused = error.status == 406 or (
            error.status in (400, 415, 500) and _MSGPACK_REFUSED.search(error.server_message)
        )
        if refused:
            self.msgpack_refused = True
        return bool(refused)

    def wire_precision(self, precision: str | None) -> str | None:
        """What ``precision`` is sent as; UnsupportedByServerError if the server has none."""
        if precision is None:
            return None
        profile = self.current()
        sent = profile.write_precisions.get(precision)
        if sent is None:
            raise profile.refusal("precision", f"write precision {precision!r}")
        return sent

    def scaled(self, data: object, precision: str | None) -> tuple[object, str | None]:
        """``(data, precision)`` to send: raw line protocol written with a precision the
        server lacks but that converts exactly (``u``, ``m``, ``h`` on InfluxDB 3) gets
        nanosecond timestamps and precision ``n``; anything else is returned as given."""
        profile = self.profile
        if precision is None or profile is None or precision in profile.write_precisions:
            return data, precision
        factor = profile.ns_factors.get(precision)
        if factor is None:
            return data, precision
        if isinstance(data, str):
            return scale_timestamps(data.encode(), factor).decode(), "n"
        if isinstance(data, bytes | bytearray):
            return scale_timestamps(bytes(data), factor), "n"
        if isinstance(data, list | tuple):
            return [self.scaled(item, precision)[0] for item in data], "n"
        return data, precision

    def check_statement(self, statement: str) -> None:
        """UnsupportedByServerError if the profile cannot run ``statement``."""
        profile = self.profile
        if profile is None:
            return
        feature = statement_feature(statement)
        if feature is not None and not profile.supports(feature):
            keyword = " ".join(statement.split()[:2]).upper()
            raise profile.refusal(feature, f"{keyword} statements")

    def check_feature(self, feature: Feature, what: str) -> None:
        """UnsupportedByServerError if the profile lacks ``feature``."""
        profile = self.profile
        if profile is not None and not profile.supports(feature):
            raise profile.refusal(feature, what)

    def annotate(self, error: ServerError) -> None:
        """Add the notes that help on this server: DBRP mappings and token forms on 2.x."""
        message = error.server_message
        if any(
            _DBRP_NOTE in note or _TOKEN_NOTE in note for note in getattr(error, "__notes__", ())
        ):
            return
        v2 = self.profile is not None and self.profile.name == "influxdb2"
        if "no dbrp mapping" in message or (
            v2
            and isinstance(error, DatabaseNotFoundError | QueryError)
            and "database not found" in message
        ):
            error.add_note(_DBRP_NOTE)
        elif v2 and isinstance(error, AuthenticationError):
            error.add_note(_TOKEN_NOTE)


def needs_profile(precision: str | None) -> bool:
    """Whether writing with ``precision`` depends on the server generation."""
    return precision not in (None, "ms", "s")


async def identify(sender: Sender) -> ServerProfile:
    """The profile of the server behind ``sender``, from one ``GET /ping`` (sent with the
    session's credentials: InfluxDB 3 asks for them, and a 401 identifies it)."""
    try:
        response = await sender.send(sender.config.ping_request(), idempotent=True)
    except AuthenticationError as error:
        return profile_from_ping(error.status, {})
    except ServerError as error:
        # A gateway that does not route /ping: the session works as it would without
        # profiles, and says how to choose.
        logger.warning(
            "server='auto': /ping answered %s, so the server generation is unknown; "
            "taking it as InfluxDB 1.x (pass server=... to choose)",
            error.status,
        )
        return PROFILES["influxdb1"]
    body = await response.read()
    return profile_from_ping(response.status, response.headers, body)


async def resolve(state: ServerState, sender: Sender) -> ServerProfile:
    """``state``'s profile; with ``server="auto"`` found by one ``/ping`` (:func:`identify`),
    once."""
    if state.profile is None:
        state.found(await identify(sender))
    assert state.profile is not None
    return state.profile
