"""Keeping passwords out of messages and logs: the one place statements are redacted.

A statement that mentions ``PASSWORD`` (``CREATE USER ... WITH PASSWORD '...'``, ``SET
PASSWORD FOR ... = '...'``, or anything a user sends) is shown with every string literal
as ``'***'``. What follows the ``PASSWORD`` keyword (and ``FOR <user> =``) is shown as
``***`` up to the end of the text unless it is one literal that ends the statement
(optionally ``WITH ALL PRIVILEGES``): ``WITH PASSWORD secret``, ``PASSWORD 'it's'``, a
comment -- nothing says where such a password ends. The text taken out are the
statement's *secrets*: a server message about the statement is scrubbed of them, and of
the token influxd's parser quotes (``found <token>, expected ...``), which may be any
part of a password.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Final

from influxorm.exceptions import InfluxORMError, ValidationError
from influxorm.influxql import unescape

__all__ = [
    "MASK",
    "check_credential",
    "hidden",
    "hide_secrets",
    "redact_statement",
    "scrub",
    "scrub_server_message",
    "split_statement",
]

MASK: Final = "***"

_KEYWORD: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FOR_USER: Final = re.compile(r'\s*FOR\s+(?:"(?:[^"\\]|\\.)*"?|[^\s=;]+)\s*=', re.IGNORECASE)
_SPACE: Final = re.compile(r"\s*")
_PIECES: Final = re.compile(r"[\s;']+")
# What may follow the password literal of a well-formed CREATE USER or SET PASSWORD. Not
# a ';': in "PASSWORD '';x" the password may as well be "';x" (a quote the user did not
# escape), so whatever follows a ';' is masked with the literal.
_WELL_FORMED_END: Final = re.compile(r"\s*(?:WITH\s+ALL\s+PRIVILEGES)?\s*$", re.IGNORECASE)
# influxd's parse errors quote the token they stopped at: part of a password, maybe.
_FOUND: Final = re.compile(r"found (.*?), expected", re.DOTALL)


def _quoted_end(q: str, start: int, quote: str) -> int:
    """The index just past the literal opened at ``start`` (the end of ``q`` if unclosed)."""
    i = start + 1
    while i < len(q):
        if q[i] == "\\":
            i += 2
        elif q[i] == quote:
            return i + 1
        else:
            i += 1
    return len(q)


def split_statement(q: str) -> tuple[str, tuple[str, ...]]:
    """``q`` redacted for messages, and the secrets taken out of it (empty if none)."""
    if "PASSWORD" not in q.upper():
        return q, ()
    out: list[str] = []
    secrets: list[str] = []
    i = 0
    while i < len(q):
        char = q[i]
        if char == "'":
            end = _quoted_end(q, i, "'")
            body = q[i + 1 : end - 1 if end > i + 1 and q[end - 1] == "'" else end]
            secrets.extend((body, unescape(body)))
            out.append(f"'{MASK}'")
            i = end
        elif char == '"':
            end = _quoted_end(q, i, '"')
            out.append(q[i:end])
            i = end
        elif q.startswith("--", i):
            end = q.find("\n", i)
            end = len(q) if end < 0 else end
            out.append(q[i:end])
            i = end
        elif word := _KEYWORD.match(q, i):
            if not word.group().upper().startswith("PASSWORD"):
                out.append(word.group())
                i = word.end()
                continue
            i = word.start() + len("PASSWORD")  # "PASSWORDx": x is no keyword, mask it
            out.append(q[word.start() : i])
            if i == word.end() and (for_user := _FOR_USER.match(q, i)):
                out.append(for_user.group())
                i = for_user.end()
            value = _SPACE.match(q, i).end()  # type: ignore[union-attr]  # \s* always matches
            if value < len(q) and q[value] == "'":
                end = _quoted_end(q, value, "'")
                if end - 1 > value and q[end - 1] == "'" and _WELL_FORMED_END.match(q, end):
                    continue  # the literal is masked next, the rest stays readable
            # Not one literal ending the statement: no telling where the password ends.
            if value < len(q):
                out.append(q[i:value] + MASK)
                pieces = _PIECES.split(q[value:])
                secrets.extend((q[value:].strip(), *pieces, *map(unescape, pieces)))
                if q[value] == "'":
                    body = q[value + 1 :]
                    secrets.extend((body, unescape(body), body.rstrip("'")))
                    # The first literal itself, as written and as the server reads it.
                    end = _quoted_end(q, value, "'")
                    literal = q[value + 1 : end - 1 if q[end - 1] == "'" else end]
                    secrets.extend((literal, unescape(literal)))
                i = len(q)
        else:
            out.append(char)
            i += 1
    return "".join(out), tuple(secret for secret in secrets if secret)


def redact_statement(q: str) -> str:
    """``q`` with its passwords replaced by ``***`` (see the module docstring)."""
    return split_statement(q)[0]


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each secret replaced by ``***``."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return text


def scrub_server_message(message: str, secrets: Iterable[str]) -> str:
    """A server message about a statement that held ``secrets``, scrubbed of them and of
    the token a parse error quotes (which may be any part of a password)."""
    secrets = tuple(secrets)
    if not secrets:
        return message
    return scrub(_FOUND.sub(f"found {MASK}, expected", message), secrets)


_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")


def check_credential(kind: str, value: object) -> str:
    """``value`` if it can travel in an HTTP header as the session's ``kind`` (``username``,
    ``password``, ``token``): a ValidationError that never shows it otherwise.

    Lone surrogates (not UTF-8 text) are refused, control characters in a token (sent as
    it is, where CR and LF would split the header; basic auth is base64-encoded) and a
    ``:`` in a username (basic auth splits at the first).
    """
    if not isinstance(value, str):
        raise ValidationError(f"{kind} must be a str, not {type(value).__name__}")
    if kind == "token" and _CONTROL.search(value):
        raise ValidationError(f"the {kind} holds a control character (it is not shown)")
    if kind == "username" and ":" in value:
        raise ValidationError("a username for basic auth cannot hold ':'")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            f"the {kind} must be UTF-8 text: it holds a lone surrogate (it is not shown)"
        ) from None
    return value


def hide_secrets(error: InfluxORMError, secrets: Iterable[str]) -> InfluxORMError:
    """Scrub ``secrets`` from ``error`` in place -- its message, notes and text
    attributes -- and return it."""
    secrets = tuple(secret for secret in secrets if secret)
    if not secrets:
        return error
    error.args = tuple(scrub(a, secrets) if isinstance(a, str) else a for a in error.args)
    for name, value in vars(error).items():
        if name == "__notes__" and isinstance(value, list):
            value[:] = [scrub(note, secrets) if isinstance(note, str) else note for note in value]
        elif isinstance(value, str):
            setattr(error, name, scrub(value, secrets))
    return error


@contextmanager
def hidden(secret: str) -> Iterator[None]:
    """Scrub ``secret`` (as given and as ``repr`` shows it) from any influxorm error
    raised inside the block: for building statements that carry a password."""
    try:
        yield
    except InfluxORMError as error:
        forms = [secret, repr(secret)[1:-1]] if isinstance(secret, str) else []
        raise hide_secrets(error, forms) from None
