"""The transport interface: the one way a session's requests reach the network."""

from __future__ import annotations

from typing import Protocol

from influxorm.session.messages import Request, Response

__all__ = ["Transport"]


class Transport(Protocol):
    """Sends built requests; knows nothing of InfluxDB's semantics.

    ``request`` returns once the status and headers have arrived, whatever the status,
    and raises :class:`~influxorm.exceptions.TransportError` when the request does not
    complete (refused, reset, timed out), also while the body is read. It is called from
    the event loop the transport was first used on.
    """

    async def request(self, request: Request) -> Response:
        """Send ``request``; the caller reads or closes the response."""
        ...

    async def aclose(self) -> None:
        """Close every connection; the transport cannot be used afterwards."""
        ...
