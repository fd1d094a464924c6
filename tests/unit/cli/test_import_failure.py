"""What a failed import request is said to have stored (no server: the classification)."""

from __future__ import annotations

import pytest

from influxorm.cli.importing import ImportFailedError, _stored_of_failed_request
from influxorm.exceptions import (
    AuthenticationError,
    InfluxORMError,
    InternalServerError,
    LineProtocolError,
    PartialWriteError,
    ThrottledError,
    TransportError,
    ValidationError,
)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ValidationError("bad"), (0, 0)),
        (AuthenticationError("no", status=401, server_message="no"), (0, 0)),
        (ThrottledError("slow", status=429, server_message="slow"), (0, 5)),
        (LineProtocolError("x", status=400, server_message="x", points=5), (0, 0)),
        # one of several requests: the others not acknowledged are in doubt
        (LineProtocolError("x", status=400, server_message="x", points=2), (0, 3)),
        (
            PartialWriteError("p", status=400, server_message="p", points=4, dropped=1),
            (3, 1),
        ),
        (
            PartialWriteError("p", status=400, server_message="p", points=5, dropped=2),
            (3, 0),
        ),
        (
            PartialWriteError(
                "p", status=400, server_message="p", points=5, dropped=0, rejected_lines=("a",)
            ),
            (4, 0),
        ),
        (TransportError("connection reset"), (0, 5)),
        (InternalServerError("boom", status=500, server_message="boom"), (0, 5)),
    ],
)
def test_stored_and_in_doubt(error: InfluxORMError, expected: tuple[int, int]) -> None:
    assert _stored_of_failed_request(error, 5) == expected


def test_message_counts_in_doubt_points_and_asks_for_status_3() -> None:
    error = ImportFailedError(
        "m", TransportError("reset"), written=0, batches=0, rows=0, skipped=0, in_doubt=7
    )
    assert error.wrote_anything
    assert str(error) == (
        "import failed: reset; no point is known to have been written to 'm'; 7 point(s) of "
        "batch 1 may have been written as well (its request failed without a clear answer)"
    )
