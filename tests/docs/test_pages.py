"""The docs block reader: languages, the skip marker, indented (tabbed) blocks, lines."""

from __future__ import annotations

from pathlib import Path

from .pages import DOCS_DIR, NOT_RUN, blocks, pages

PAGE = """# Title

```python
x = 1
```

<!-- docs-test: skip -->

```sh
make demo
```

=== "Tab"

    ```python
    if x:
        y = 2
    ```

```text
not code
```
"""


def test_blocks_are_read_with_language_skip_and_lines(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    found = blocks(page)
    assert [(b.language, b.skipped, b.line) for b in found] == [
        ("python", False, 4),
        ("sh", True, 10),
        ("python", False, 16),
        ("text", False, 21),
    ]
    assert found[2].source == "if x:\n    y = 2"


def test_every_page_but_the_listed_ones_runs() -> None:
    names = {p.relative_to(DOCS_DIR).as_posix() for p in pages()}
    assert {"index.md", "querying.md"} <= names
    assert not names & set(NOT_RUN)
