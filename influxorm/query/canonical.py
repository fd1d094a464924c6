"""Reading back what influxd prints: Go duration text and continuous-query statements.

influxd 1.6.7 does not keep a continuous query as it was sent: ``SHOW CONTINUOUS QUERIES``
prints its own rewriting (verified on the server)::

    sent:  CREATE CONTINUOUS QUERY "cq" ON "d" BEGIN SELECT mean("p") AS "v" INTO "b"
           FROM "t" WHERE "k" = 'x' AND "f" > 1.5 GROUP BY "i", time(1h30m) tz('UTC') END
    shown: CREATE CONTINUOUS QUERY cq ON d BEGIN SELECT mean(p) AS v INTO d.autogen.b
           FROM d.autogen.t WHERE k = 'x' AND f > 1.500 GROUP BY i, time(90m) TZ('UTC') END

Identifiers are quoted only when they must be, ``FROM``/``INTO`` targets get the
database and the default retention policy of the moment, durations are re-spelled,
floats get three decimals, and some function names change case. :func:`cq_tokens`
turns either text into the same token list when they mean the same statement, so a
declared continuous query is compared with the server's after the server's own
rewriting. Retention policy durations come back as Go durations (``168h0m0s``), read
by :func:`go_duration_ns`. No I/O.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from influxorm.influxql import duration_to_ns, unescape

__all__ = ["cq_tokens", "go_duration_ns"]

_GO_PART: Final = re.compile(r"([0-9]+(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")
_GO_UNIT: Final = {
    "ns": 1,
    "us": 10**3,
    "µs": 10**3,
    "μs": 10**3,
    "ms": 10**6,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}


def go_duration_ns(text: str) -> int:
    """A Go ``time.Duration`` string as influxd prints it (``168h0m0s``, ``1.5s``) -> ns."""
    if text == "0" or text == "0s":
        return 0
    parts = _GO_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a Go duration: {text!r}")
    return sum(int(Decimal(n) * _GO_UNIT[u]) for n, u in parts)


# The keywords of InfluxQL 1.x (influxql/token.go): a bare word among them is a keyword,
# any other bare word an identifier.
_KEYWORDS: Final = frozenset(
    [
        "ALL",
        "ALTER",
        "AND",
        "ANY",
        "AS",
        "ASC",
        "BEGIN",
        "BY",
        "CARDINALITY",
        "CREATE",
        "CONTINUOUS",
        "DATABASE",
        "DATABASES",
        "DEFAULT",
        "DELETE",
        "DESC",
        "DESTINATIONS",
        "DIAGNOSTICS",
        "DISTINCT",
        "DROP",
        "DURATION",
        "END",
        "EVERY",
        "EXACT",
        "EXPLAIN",
        "FALSE",
        "FIELD",
        "FOR",
        "FROM",
        "GRANT",
        "GRANTS",
        "GROUP",
        "GROUPS",
        "IN",
        "INF",
        "INSERT",
        "INTO",
        "KEY",
        "KEYS",
        "KILL",
        "LIMIT",
        "MEASUREMENT",
        "MEASUREMENTS",
        "NAME",
        "OFFSET",
        "ON",
        "OR",
        "ORDER",
        "PASSWORD",
        "POLICIES",
        "POLICY",
        "PRIVILEGES",
        "QUERIES",
        "QUERY",
        "READ",
        "REPLICATION",
        "RESAMPLE",
        "RETENTION",
        "REVOKE",
        "SELECT",
        "SERIES",
        "SET",
        "SHARD",
        "SHARDS",
        "SLIMIT",
        "SOFFSET",
        "STATS",
        "SUBSCRIPTION",
        "SUBSCRIPTIONS",
        "TAG",
        "TO",
        "TRUE",
        "USER",
        "USERS",
        "VALUES",
        "WHERE",
        "WITH",
        "WRITE",
    ]
)

_TOKEN: Final = re.compile(
    r"""
    (?P<ws>\s+)
    |(?P<ident>"(?:[^"\\]|\\.)*")
    |(?P<string>'(?:[^'\\]|\\.)*')
    |(?P<duration>(?:[0-9]+(?:ns|ms|us|µs|u|µ|s|m|h|d|w))+)(?![A-Za-z0-9_])
    |(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
    |(?P<word>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<op>=~|!~|!=|<>|<=|>=|::|[-+*/%=<>(),.;&|^])
    """,
    re.VERBOSE | re.DOTALL,
)
_REGEX: Final = re.compile(r"\s*/((?:[^/\\]|\\.)*)/", re.DOTALL)

Token = tuple[str, object]


def _lex(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if tokens and tokens[-1] in (("op", "=~"), ("op", "!~")):
            regex = _REGEX.match(text, pos)
            if regex:
                tokens.append(("regex", regex.group(1)))
                pos = regex.end()
                continue
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ValueError(f"cannot read InfluxQL at {text[pos : pos + 20]!r}")
        pos = match.end()
        kind = match.lastgroup
        value = match.group()
        if kind == "ws":
            continue
        if kind == "ident":
            tokens.append(("ident", unescape(value[1:-1])))
        elif kind == "string":
            tokens.append(("string", unescape(value[1:-1])))
        elif kind == "duration":
            tokens.append(("duration", duration_to_ns(value.replace("µ", "u"))))
        elif kind == "number":
            tokens.append(("number", Decimal(value)))
        elif kind == "word":
            upper = value.upper()
            tokens.append(("keyword", upper) if upper in _KEYWORDS else ("word", value))
        else:
            tokens.append(("op", "!=" if value == "<>" else value))  # influxd prints != for <>
    # A bare word before "(" is a function (influxd prints some upper case: TZ); any
    # other bare word is an identifier, as a quoted one is.
    out: list[Token] = []
    for i, (kind, word) in enumerate(tokens):
        if kind == "word":
            is_call = i + 1 < len(tokens) and tokens[i + 1] == ("op", "(")
            out.append(("function", str(word).lower()) if is_call else ("ident", word))
        else:
            out.append((kind, word))
    return out


def _qualify(tokens: list[Token], database: str, default_rp: str | None) -> list[Token]:
    """Each ``FROM``/``INTO`` target as one ``("target", (db, rp, measurement))`` token,
    with the database and the default retention policy filled in as influxd does."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        out.append(token)
        i += 1
        if token not in (("keyword", "FROM"), ("keyword", "INTO")):
            continue
        segments: list[str] = [""]
        while i < len(tokens):
            kind, value = tokens[i]
            if kind == "ident" and segments[-1] == "":
                segments[-1] = str(value)
            elif (kind, value) == ("op", "."):
                segments.append("")
            else:
                break
            i += 1
        if len(segments) > 3:
            raise ValueError(f"cannot read a target of {len(segments)} parts: {segments}")
        db, rp, measurement = ["", "", *segments][-3:]
        out.append(("target", (db or database, rp or default_rp, measurement)))
    return out


def cq_tokens(statement: str, database: str, default_rp: str | None) -> list[Token]:
    """The tokens of a ``CREATE CONTINUOUS QUERY`` statement, the same for the text sent
    and influxd's rewriting of it (``default_rp``: the database's default policy, which
    influxd writes into targets that name none)."""
    return _qualify(_lex(statement), database, default_rp)
