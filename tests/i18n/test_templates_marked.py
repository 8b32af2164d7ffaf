"""Every word a template shows goes through a translation tag."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.i18n.untranslated import untranslated

ROOT = Path(__file__).resolve().parents[2] / "rostra"
TEMPLATES = sorted(p for p in ROOT.glob("*/templates/**/*") if p.suffix in (".html", ".txt"))


def test_the_checker_sees_unmarked_text_and_attributes(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('{% load i18n %}<p>Hello {{ name }}</p><img alt="A cat" src="x">'
                    '<p>{% translate "Fine" %}</p>'
                    '{% blocktranslate %}Also fine{% endblocktranslate %}'
                    '<input type="submit" value="Send"><a title="{{ t }}">{{ x }}</a>')
    assert untranslated(page) == ["Hello", "A cat", "Send"]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_unmarked_text(path):
    assert untranslated(path) == []
