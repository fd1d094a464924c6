"""mypy --strict accepts query_types.py, and rejects it once a misuse line is added."""

from __future__ import annotations

from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

SAMPLE = Path(__file__).with_name("query_types.py")


def _mypy(path: Path, cache: Path) -> tuple[int, str]:
    out, err, status = mypy_api.run(
        ["--strict", "--no-error-summary", "--cache-dir", str(cache), str(path)]
    )
    return status, out + err


def test_query_types_check(tmp_path: Path) -> None:
    status, out = _mypy(SAMPLE, tmp_path / "cache")
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
    ],
)
def test_misuse_is_rejected(tmp_path: Path, misuse: str, expected: str) -> None:
    broken = tmp_path / "query_types_broken.py"
    broken.write_text(SAMPLE.read_text() + "\n" + misuse + "\n")
    status, out = _mypy(broken, tmp_path / "cache")
    assert status != 0
    line = len(SAMPLE.read_text().splitlines()) + 2
    errors = [text for text in out.splitlines() if ": error:" in text]
    assert errors, out
    assert all(f"{broken.name}:{line}: error:" in text for text in errors), out
    assert expected in errors[0], out
