"""Outside JSON is read as PostgreSQL can store it."""

from __future__ import annotations

import pytest

from rostra.core import json_input


def test_ordinary_json_reads_as_usual():
    assert json_input.loads(b'{"a": [1, 2.5, "x\\u00e9", null, true]}') == {
        "a": [1, 2.5, "xé", None, True]}


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", '{"a": [NaN]}',
                                  '"nul \\u0000 inside"'])
def test_what_jsonb_refuses_is_refused_here(text):
    with pytest.raises(ValueError):
        json_input.loads(text)
    with pytest.raises(ValueError):
        json_input.loads(text.encode())
