"""Retry policy: which failures are retried, how long to wait, and the retry loop."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

import attrs

from influxorm.exceptions import (
    InfluxORMError,
    InternalServerError,
    ThrottledError,
    TLSError,
    TransportError,
    ValidationError,
)

__all__ = ["NO_RETRY", "Idempotent", "RetryPolicy", "is_retryable", "retrying"]

logger = logging.getLogger("influxorm")

T = TypeVar("T")


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if type(value) not in (int, float) or not value > 0:
        raise ValidationError(
            f"{attribute.name} must be a positive number, not {value!r}", value=value
        )


def _at_least_one(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or value < 1:
        raise ValidationError(f"{attribute.name} must be an int >= 1, not {value!r}", value=value)


def _flag(instance: object, attribute: attrs.Attribute[bool], value: bool) -> None:
    if type(value) is not bool:
        raise ValidationError(f"{attribute.name} must be True or False, not {value!r}", value=value)


def _deadline(instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and (type(value) not in (int, float) or not value > 0):
        raise ValidationError(
            f"deadline must be a positive number of seconds or None, not {value!r}", value=value
        )


@attrs.frozen
class RetryPolicy:
    """How a session retries requests that failed in a way that may pass on a new try.

    ``max_attempts`` counts the first try (1 disables retries). Before retry ``n`` (1, 2,
    ...) the session waits ``min(max_delay, initial_delay * multiplier ** (n - 1))``,
    with "equal jitter" (a random point in the upper half of that delay) unless
    ``jitter`` is False, and at least the server's ``Retry-After`` when it sent one.
    No retry starts once ``deadline`` seconds have passed since the first try (None: no
    deadline); the last error is raised then, with a note saying how many attempts were
    made.

    Retried: connection errors and timeouts, 429, 503 and other 5xx -- never 4xx. A
    write whose outcome may be unknown (transport error, 5xx) is retried only when it
    is idempotent: every point carries a timestamp (sessions stamp points that have
    none before sending; raw line protocol without timestamps is not retried).
    """

    max_attempts: int = attrs.field(default=6, validator=_at_least_one)
    initial_delay: float = attrs.field(default=0.1, validator=_positive)
    multiplier: float = attrs.field(default=2.0, validator=_positive)
    max_delay: float = attrs.field(default=10.0, validator=_positive)
    deadline: float | None = attrs.field(default=120.0, validator=_deadline)
    jitter: bool = attrs.field(default=True, validator=_flag)

    def backoff(self, retry: int, rng: random.Random) -> float:
        """The wait before retry number ``retry`` (1-based), without Retry-After."""
        exponent = min(retry - 1, 64)
        cap = min(self.max_delay, self.initial_delay * self.multiplier**exponent)
        if not self.jitter:
            return cap
        return cap / 2 + rng.uniform(0.0, cap / 2)

    def delay(self, retry: int, rng: random.Random, retry_after: float | None = None) -> float:
        """The wait before retry ``retry``: the backoff, or the server's Retry-After if longer."""
        wait = self.backoff(retry, rng)
        if retry_after is not None and retry_after > wait:
            return retry_after
        return wait

    def schedule(self, rng: random.Random) -> list[float]:
        """The waits before each retry this policy allows (ignoring the deadline)."""
        return [self.delay(n, rng) for n in range(1, self.max_attempts)]


NO_RETRY: Final = RetryPolicy(max_attempts=1)
"""A policy that never retries."""


Idempotent = bool | Callable[[], bool]
"""Whether a request may be sent twice: a flag, or a function asked only when it matters."""


def is_retryable(error: BaseException, *, idempotent: Idempotent) -> bool:
    """Whether ``error`` may pass on a new try of the same request.

    Throttling means the server did nothing, so it is always retried; a transport error
    or a 5xx may have left a write stored, so those are retried only when ``idempotent``
    (called, if a function, only for such errors).
    """
    if isinstance(error, ThrottledError):
        return True
    if isinstance(error, TLSError):
        return False  # a refused certificate stays refused; nothing reached the server
    if isinstance(error, TransportError | InternalServerError):
        safe = idempotent() if callable(idempotent) else idempotent
        if not safe:
            error.add_note("(not retried: the request is not idempotent; it may have taken effect)")
        return safe
    return False


async def retrying(
    attempt: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    idempotent: Idempotent,
    rng: random.Random,
    what: str,
    on_retry: Callable[[InfluxORMError, int, float], None] | None = None,
) -> T:
    """Await ``attempt()`` until it succeeds, retrying as ``policy`` allows.

    ``on_retry(error, retry_number, delay)`` is called before each wait; ``what``
    names the request in log lines. The ``influxorm`` logger gets each retry at DEBUG,
    a request that succeeded after retries at INFO and one given up after retries (or
    when the deadline leaves no time for one) at WARNING, with the attempts made and the
    last error. Error texts hold no credentials (URLs carry none, statements are redacted).
    """
    start = time.monotonic()
    retry = 0
    last: InfluxORMError | None = None
    while True:
        try:
            result = await attempt()
        except InfluxORMError as error:
            retry += 1
            if retry >= policy.max_attempts or not is_retryable(error, idempotent=idempotent):
                if retry > 1:
                    error.add_note(f"(gave up after {retry} attempts)")
                    logger.warning("%s failed after %d attempts: %s", what, retry, error)
                raise
            retry_after = error.retry_after if isinstance(error, ThrottledError) else None
            wait = policy.delay(retry, rng, retry_after)
            elapsed = time.monotonic() - start
            if policy.deadline is not None and elapsed + wait > policy.deadline:
                reason = f"the retry deadline of {policy.deadline}s would pass"
                error.add_note(f"(gave up after {retry} attempts: {reason})")
                logger.warning("%s failed after %d attempt(s) (%s): %s", what, retry, reason, error)
                raise
            logger.debug("retry %d of %s in %.3fs after: %s", retry, what, wait, error)
            last = error
            if on_retry is not None:
                on_retry(error, retry, wait)
            await asyncio.sleep(wait)
        else:
            if last is not None:
                logger.info(
                    "%s succeeded on attempt %d (%d retried failure(s), the last: %s)",
                    what,
                    retry + 1,
                    retry,
                    last,
                )
            return result
