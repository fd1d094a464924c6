"""influxd unescapes ``\\"`` in measurement names and field keys (verified on 1.6.7:
``a\\"b`` is stored as ``a"b``), so such names cannot be written: refused."""

from __future__ import annotations

import pytest

from influxorm.exceptions import ValidationError
from influxorm.lineprotocol import check_field_key, check_measurement, check_tag_key


def test_backslash_quote_is_refused_where_the_server_unescapes_it() -> None:
    with pytest.raises(ValidationError, match="backslash before"):
        check_measurement('a\\"b')
    with pytest.raises(ValidationError, match="backslash before"):
        check_field_key('\\"')
    assert check_tag_key('k\\"x') == 'k\\"x'  # tag keys keep it verbatim
    assert check_measurement('a"b') == 'a"b'
