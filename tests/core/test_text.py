"""Post text: extraction of links, mentions and hashtags; safe rendering; the sanitizer."""

import re
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from rostra.core import text
from rostra.core.text import MentionRef

KNOWN = {"alice": "http://localhost:8000/@alice", "bob@remote.example": "https://remote.example/@bob"}


def mention_url(ref: MentionRef):
    return KNOWN.get(ref.acct.lower())


def tag_url(name: str) -> str:
    return f"/tags/{name.lower()}"


def render(raw: str) -> str:
    return text.render(raw, mention_url, tag_url)


# --- extraction -------------------------------------------------------------------

def test_local_mention_is_extracted():
    assert text.extract_mentions("hi @alice!") == [MentionRef("alice", "")]


def test_remote_mention_keeps_its_domain_lower_cased():
    assert text.extract_mentions("hi @Bob@Remote.Example") == [MentionRef("Bob", "remote.example")]


def test_email_address_is_not_a_mention():
    assert text.extract_mentions("write to alice@example.org") == []


def test_mention_inside_a_url_is_not_a_mention():
    assert text.extract_mentions("see https://social.example/@alice") == []


def test_repeated_mention_is_extracted_once():
    assert len(text.extract_mentions("@alice @ALICE @alice")) == 1


def test_hashtags_are_extracted_once_each_case_insensitively():
    assert text.extract_hashtags("#Rostra and #rostra and #fediverse") == ["Rostra", "fediverse"]


def test_number_only_hashtag_is_not_a_hashtag():
    assert text.extract_hashtags("issue #123") == []


def test_anchor_in_a_url_is_not_a_hashtag():
    assert text.extract_hashtags("https://example.org/page#section") == []


def test_url_trailing_punctuation_is_not_part_of_the_url():
    assert text.extract_urls("see (https://example.org/a).") == ["https://example.org/a"]


def test_javascript_url_is_not_a_link():
    assert text.extract_urls("javascript:alert(1)") == []


# --- rendering --------------------------------------------------------------------

def test_render_escapes_script_tags():
    html = render("<script>alert(1)</script>")
    assert "<script" not in html
    assert "&lt;script&gt;" in html


def test_render_escapes_attribute_breaking_quotes():
    html = render('"><img src=x onerror=alert(1)>')
    assert "<img" not in html


def test_render_makes_links_with_nofollow():
    html = render("read https://example.org/article")
    assert '<a href="https://example.org/article" rel="nofollow noopener noreferrer"' in html


def test_render_shortens_long_link_text_but_keeps_the_href():
    url = "https://example.org/" + "x" * 80
    html = render(url)
    assert f'href="{url}"' in html
    assert "…" in html


def test_render_links_a_known_local_mention():
    html = render("hi @alice")
    assert 'href="http://localhost:8000/@alice" class="u-url mention"' in html


def test_render_links_a_known_remote_mention():
    assert 'href="https://remote.example/@bob"' in render("hi @bob@remote.example")


def test_render_leaves_an_unknown_mention_as_plain_text():
    html = render("hi @nobody")
    assert "<a" not in html
    assert "@nobody" in html


def test_render_does_not_link_an_email_address():
    html = render("mail alice@example.org")
    assert "<a" not in html


def test_render_links_hashtags():
    html = render("I like #Rostra")
    expected = '<a href="/tags/rostra" class="mention hashtag" rel="tag">#<span>Rostra</span></a>'
    assert expected in html


def test_render_splits_paragraphs_and_lines():
    assert render("one\ntwo\n\nthree") == "<p>one<br>two</p><p>three</p>"


# --- sanitizer --------------------------------------------------------------------

def test_sanitize_removes_script_elements():
    assert "<script" not in text.sanitize("<p>hi<script>alert(1)</script></p>")


def test_sanitize_removes_event_handler_attributes():
    html = text.sanitize('<a href="https://example.org" onclick="alert(1)">x</a>')
    assert "onclick" not in html
    assert 'href="https://example.org"' in html


def test_sanitize_removes_javascript_urls():
    assert "javascript" not in text.sanitize('<a href="javascript:alert(1)">x</a>')


def test_sanitize_adds_nofollow_to_links():
    assert 'rel="nofollow noopener noreferrer"' in text.sanitize('<a href="https://e.org">x</a>')


def test_sanitize_drops_images_and_iframes():
    html = text.sanitize('<img src="x" onerror="alert(1)"><iframe src="https://e.org"></iframe>')
    assert "<img" not in html and "<iframe" not in html


def test_sanitize_keeps_allowed_formatting():
    assert text.sanitize("<p><strong>bold</strong></p>") == "<p><strong>bold</strong></p>"


def test_plain_text_returns_visible_text():
    assert text.plain_text("<p>a &amp; b<br>c</p><p>d</p>") == "a & b\nc\n\nd"


# --- properties -------------------------------------------------------------------

pieces = st.sampled_from(
    list("<>\"'&/=@#:. \nabcsriptjvhon")
    + ["script", "<script>", "https://", "http://e.org/", "@alice", "@bob@remote.example",
       "#tag", " onerror=", "javascript:", "&lt;", "<a href=\"", "\n\n"]
)
hostile = st.lists(pieces, max_size=30).map("".join)
any_text = st.one_of(st.text(max_size=200), hostile)


@given(any_text)
def test_render_never_emits_a_script_tag(raw):
    assert "<script" not in render(raw).lower()


@given(any_text)
def test_render_only_emits_tags_it_builds(raw):
    tags = set(re.findall(r"<\s*/?\s*([a-zA-Z0-9]+)", render(raw)))
    assert tags <= {"p", "br", "a", "span"}


@given(any_text)
def test_render_output_survives_the_sanitizer_unchanged_in_text(raw):
    html = render(raw)
    assert text.plain_text(text.sanitize(html)) == text.plain_text(html)


class _Tags(HTMLParser):
    """The element and attribute names a browser would read (not the text inside
    attribute values, where ``" on0="`` is harmless)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]

    handle_startendtag = handle_starttag


@given(any_text)
def test_sanitize_never_keeps_scripts_or_handlers(raw):
    parsed = _Tags()
    parsed.feed(text.sanitize(raw))
    parsed.close()
    assert "script" not in parsed.tags
    assert not [name for name in parsed.attributes if name.lower().startswith("on")]


@given(any_text)
def test_extracted_mentions_are_well_formed(raw):
    for ref in text.extract_mentions(raw):
        assert re.fullmatch(text.USERNAME_RE, ref.username)
        assert ref.domain == ref.domain.lower()


@given(any_text)
def test_extracted_hashtags_appear_in_the_text(raw):
    for name in text.extract_hashtags(raw):
        assert "#" + name in raw


@given(any_text)
def test_extracted_urls_appear_in_the_text_and_start_with_http(raw):
    for url in text.extract_urls(raw):
        assert url in raw
        assert url.lower().startswith(("http://", "https://"))
