"""The credentials and the scheme of a session URL; no I/O.

``http://user:password@host:8086/prefix`` carries basic-auth credentials in its user info.
They should be percent-encoded (``urllib.parse.quote(password, safe="")``), but people
paste passwords as they are, and a standard parser (``urllib.parse``, ``yarl``) ends the
authority at the first ``/``, ``?`` or ``#``: ``http://u:pa#ss@host`` becomes host ``u``,
port ``pa`` and a fragment holding the rest of the password, which then shows in every
error message that quotes the URL. Here:

* the user info is everything before the last ``@`` of the authority, so ``@`` and ``:``
  in a password need no encoding;
* when the authority as a standard parser sees it is no ``host[:port]`` (``u:pa``) and an
  ``@`` follows, the user info extends to the last ``@`` of the URL: unencoded ``/``,
  ``?`` and ``#`` in a password work;
* when both readings make sense (``u:123/x@host`` is also host ``u``, port 123, path
  ``/x@host``), the URL is refused with a :class:`ValidationError` that quotes none of it
  and says to percent-encode. An ``@`` after a ``/``, ``?`` or ``#`` of a URL that has no
  credentials is taken as part of the path or options only when no ``:`` or ``@`` could
  make the text before it user info (``http://host/db@x``); otherwise it must be written
  ``%40``.

Nothing here ever puts a password in a message.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple
from urllib.parse import unquote

from influxorm.exceptions import ValidationError

__all__ = ["SplitURL", "check_http_url", "redact_url", "require_scheme", "split_userinfo"]

_SCHEME: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# host[:port] as a standard parser would accept it: a name or address, then digits.
_HOST: Final = re.compile(r"(?:\[[0-9A-Za-z:.%]+\]|[A-Za-z0-9_.~%-]+)(?::([0-9]+))?")
_DELIMITERS: Final = re.compile(r"[/?#]")

_ENCODE: Final = (
    "percent-encode the user and password in a URL (urllib.parse.quote(password, safe='')), "
    "or give them as username= and password="
)


class SplitURL(NamedTuple):
    """A URL without its user info, and the percent-decoded user and password."""

    url: str
    username: str | None
    password: str | None


def _authority_end(rest: str) -> int:
    match = _DELIMITERS.search(rest)
    return match.start() if match else len(rest)


def _userinfo_end(rest: str) -> int | None:
    """Where the user info of ``rest`` (a URL after ``//``) ends: its last ``@``."""
    end = _authority_end(rest)
    authority = rest[:end]
    last = rest.rfind("@")
    if last < end:  # no '@' after the authority: the standard reading is the only one
        return authority.rfind("@") if "@" in authority else None
    host = authority.rpartition("@")[2]
    plain = _HOST.fullmatch(host)
    if plain is None:
        return last  # "u:pa" is no host[:port]: the password goes on to the last '@'
    if "@" in authority or plain.group(1) is not None or ":" in rest[end:last]:
        # "u:123/x@h", "u:p@h/x@h2", "u/x:p@h": host "u" (or "h") and a path are
        # possible too.
        raise ValidationError(
            "this URL reads two ways (an '@' follows a '/', '?' or '#'): user info whose "
            "password holds an unencoded '/', '?' or '#', or an '@' in the path or options. "
            f"Either {_ENCODE}; or write that '@' as %40"
        )
    return None  # "host/db@x": an '@' in the path or the options, no credentials


def split_userinfo(url: str) -> SplitURL:
    """``url`` without its ``user:password@`` part, and the decoded user and password.

    See the module docstring for URLs whose password is not percent-encoded. A URL
    without ``//`` is returned as it is.
    """
    scheme = _SCHEME.match(url)
    start = url.find("//", scheme.end() if scheme else 0)
    if start != (scheme.end() if scheme else 0):
        return SplitURL(url, None, None)
    rest = url[start + 2 :]
    at = _userinfo_end(rest)
    if at is None:
        return SplitURL(url, None, None)
    user, colon, password = rest[:at].partition(":")
    clean = url[: start + 2] + rest[at + 1 :]
    return SplitURL(clean, unquote(user), unquote(password) if colon else None)


def redact_url(url: str) -> str:
    """``url`` with the password of its user info shown as ``***`` (for messages)."""
    try:
        clean, user, password = split_userinfo(url)
    except ValidationError:
        scheme = _SCHEME.match(url)
        return (scheme.group(0) if scheme else "") + "//***@..."
    if user is None:
        return url
    start = clean.find("//") + 2
    shown = user + (":***" if password is not None else "")
    return f"{clean[:start]}{shown}@{clean[start:]}"


def require_scheme(url: str) -> str:
    """The scheme of ``url`` (``http`` in ``http://...``); a :class:`ValidationError`
    showing the fix when there is none (``localhost:8086``)."""
    scheme = _SCHEME.match(url)
    if scheme is None or not url[scheme.end() :].startswith("//"):
        fixed = redact_url("http:" + url if url.startswith("//") else "http://" + url)
        raise ValidationError(
            f"the URL has no scheme: write {fixed!r} (or https://... for TLS)", value=fixed
        )
    return scheme.group(1)


def check_http_url(url: str) -> None:
    """Raise :class:`ValidationError` unless ``url`` is ``http://`` or ``https://`` with a
    host, saying how to write it (never showing a password)."""
    given = require_scheme(url)
    name = given.lower()
    if name == "http+unix":
        raise ValidationError(
            "an http+unix:// URL is read by Session.from_url(); give Session(...) the "
            "socket path as unix_socket= instead"
        )
    if name not in ("http", "https"):
        raise ValidationError(
            f"unsupported URL scheme {given!r}: use http:// or https://", value=given
        )
    clean = split_userinfo(url).url
    rest = clean[len(given) + 3 :]
    if not rest[: _authority_end(rest)]:
        raise ValidationError(
            f"the URL {redact_url(url)!r} has no host: write e.g. 'http://localhost:8086'",
            value=redact_url(url),
        )
    if "?" in rest or "#" in rest:
        # Not quoted: an option may be a token.
        raise ValidationError(
            "a session URL takes no '?options' or '#fragment': give options as keyword "
            "arguments, or read them from the URL with Session.from_url(url)"
        )
