"""mypy --strict accepts query_types.py, and rejects it once a misuse line is added."""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api as mypy_api

SAMPLE = Path(__file__).with_name("query_types.py")


def _mypy(path: Path, cache: Path) -> tuple[int, str]:
    out, err, status = mypy_api.run(
        ["--strict", "--no-error-summary", "--cache-dir", str(cache), str(path)]
    )
    return status, out + err


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for the module: the checks differ by one line, so it stays warm."""
    return tmp_path_factory.mktemp("mypy-cache")


def test_query_types_check(cache: Path) -> None:
    status, out = _mypy(SAMPLE, cache)
    assert status == 0, out


@pytest.mark.parametrize(
    ("misuse", "expected"),
    [
        (
            "assert_type(Trade.objects.where(price=1), orm.AggregateQuery[Trade])",
            "[assert-type]",
        ),
        ('Trade.objects.order_by("price")', "[arg-type]"),
        ("Trade.objects.limit('10')", "[arg-type]"),
        ("Trade.objects.aggregate(avg='price')", "[arg-type]"),
        (
            "Trade(time=datetime(2024, 1, 2), instrument='A', side=Side.BUY, price=1.0, nope=1)",
            "[call-arg]",
        ),
        (
            "Trade(time=datetime(2024, 1, 2), instrument='A', side=Side.BUY, price='1')",
            "[arg-type]",
        ),
        ("assert_type(Session('http://x').fetch(Trade.objects), list[Side])", "[assert-type]"),
    ],
)
def test_misuse_is_rejected(tmp_path: Path, cache: Path, misuse: str, expected: str) -> None:
    broken = tmp_path / "query_types_broken.py"
    broken.write_text(SAMPLE.read_text() + "\n" + misuse + "\n")
    status, out = _mypy(broken, cache)
    assert status != 0
    line = len(SAMPLE.read_text().splitlines()) + 2
    errors = [text for text in out.splitlines() if ": error:" in text]
    assert errors, out
    assert all(f"{broken.name}:{line}: error:" in text for text in errors), out
    assert expected in errors[0], out
