"""A partner's STIX bundle becomes a watch list: what is kept, how it is normalised,
re-imports that update, and every way a hostile or broken file is refused whole."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import stix2
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rostra.integrity.models import Indicator, WatchSource
from rostra.integrity.stix_export import export_incident
from rostra.integrity.stix_import import MAX_BYTES, StixImportError, import_bundle
from tests.integrity.stix_world import incident_world

PARTNER = stix2.v21.Identity(id="identity--2f3c1d8e-8a55-4b1e-9d55-1a2b3c4d5e6f",
                             name="EU DisinfoLab", identity_class="organization")


def partner_bundle(*patterns: str, marking=stix2.TLP_AMBER, bundle_id=None,
                   **indicator_fields) -> bytes:
    objects = [PARTNER]
    for n, pattern in enumerate(patterns):
        objects.append(stix2.v21.Indicator(
            id=f"indicator--00000000-0000-4000-8000-{n:012d}", name=f"n{n}", pattern=pattern,
            pattern_type="stix", valid_from="2026-01-01T00:00:00Z", created_by_ref=PARTNER.id,
            object_marking_refs=[marking], **indicator_fields))
    bundle_id = bundle_id or "bundle--11111111-2222-4333-8444-555555555555"
    return stix2.v21.Bundle(objects=objects, id=bundle_id).serialize().encode()


@pytest.fixture
def moderator(make_user):
    return make_user("mod", admin=True)


def _values(source: WatchSource) -> set[tuple[str, str]]:
    return set(source.indicators.values_list("kind", "value"))


def test_partner_indicators_become_a_watch_list(moderator):
    source = import_bundle(partner_bundle(
        "[domain-name:value = 'Evil.EXAMPLE.']",
        "[url:value = 'HTTPS://News.Evil.example:443/a?b=1#frag']",
        "[user-account:user_id = 'https://far.example/users/Troll']",
        "[user-account:account_login = '@Troll2@Far.Example']"), by=moderator)
    assert source.name == "EU DisinfoLab"
    assert source.identity_id == PARTNER.id
    assert source.tlp == "amber"
    assert source.imported_by == moderator
    assert _values(source) == {("domain", "evil.example"), ("url", "https://news.evil.example/a?b=1"),
                               ("account", "https://far.example/users/Troll"),
                               ("account", "troll2@far.example")}
    assert source.report.created == 4


def test_in_lists_and_or_observations_give_one_indicator_per_value(moderator):
    source = import_bundle(partner_bundle(
        "[domain-name:value IN ('a.example', 'b.example')] OR [url:value = 'http://c.example/']"),
        by=moderator)
    assert _values(source) == {("domain", "a.example"), ("domain", "b.example"),
                               ("url", "http://c.example/")}
    assert set(source.indicators.values_list("stix_id", flat=True)) == {
        "indicator--00000000-0000-4000-8000-000000000000"}


def test_our_own_export_imports_on_a_partner_server(db, moderator):
    world = incident_world()
    data = json.dumps(export_incident(world["incident"], tlp="green")).encode()
    source = import_bundle(data, by=moderator)
    values = _values(source)
    assert ("account", "https://far.example/users/far") in values
    assert ("account", "http://localhost:8000/users/amy") in values
    assert ("url", "https://evil.example/story?id=1") in values  # the fragment dropped
    assert ("url", "https://news.evil.example/it's") in values
    assert ("domain", "evil.example") in values
    assert source.tlp == "green"
    assert source.name.endswith("(localhost:8000)")


def test_reimporting_the_same_bundle_updates_instead_of_duplicating(moderator):
    data = partner_bundle("[domain-name:value = 'evil.example']", "[url:value = 'http://x.example/']")
    first = import_bundle(data, by=moderator)
    again = import_bundle(data, by=moderator)
    assert again.pk == first.pk
    assert WatchSource.objects.count() == 1
    assert Indicator.objects.count() == 2
    assert (again.report.created, again.report.updated) == (0, 2)


def test_a_newer_version_expires_indicators_it_no_longer_carries(moderator):
    import_bundle(partner_bundle("[domain-name:value = 'evil.example']",
                                 "[url:value = 'http://x.example/']"), by=moderator)
    source = import_bundle(partner_bundle("[domain-name:value = 'evil.example']"), by=moderator)
    assert source.report.expired == 1
    gone = Indicator.objects.get(value="http://x.example/")
    assert gone.valid_until is not None and gone.valid_until <= timezone.now()
    assert Indicator.objects.get(value="evil.example").valid_until is None


def test_valid_until_and_revoked_are_kept(moderator):
    until = timezone.now() + timedelta(days=3)
    source = import_bundle(partner_bundle("[domain-name:value = 'evil.example']",
                                          valid_until=until), by=moderator)
    assert abs(source.indicators.get().valid_until - until) < timedelta(seconds=1)
    revoked = import_bundle(partner_bundle("[domain-name:value = 'gone.example']", revoked=True,
                                           bundle_id="bundle--99999999-2222-4333-8444-555555555555"),
                            by=moderator)
    assert revoked.indicators.get().valid_until <= timezone.now()


def test_tlp_2_marking_is_recorded(moderator):
    red = stix2.v21.MarkingDefinition(
        id="marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        created="2022-10-01T00:00:00.000Z", name="TLP:RED",
        extensions={"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
            "extension_type": "property-extension", "tlp_2_0": "red"}})
    data = json.loads(partner_bundle("[domain-name:value = 'evil.example']", marking=red.id))
    data["objects"].append(json.loads(red.serialize()))
    assert import_bundle(json.dumps(data).encode(), by=moderator).tlp == "red"


def test_indicators_on_other_objects_are_skipped_and_counted(moderator):
    source = import_bundle(partner_bundle("[ipv4-addr:value = '203.0.113.9']",
                                          "[domain-name:value = 'evil.example']"), by=moderator)
    assert _values(source) == {("domain", "evil.example")}
    assert source.report.skipped == 1


def test_values_of_other_networks_are_counted_not_watched(moderator):
    source = import_bundle(partner_bundle("[user-account:user_id = '1234567890']",
                                          "[domain-name:value = 'evil.example']"), by=moderator)
    assert _values(source) == {("domain", "evil.example")}
    assert source.report.unmatchable == 1


def test_escaped_quotes_cannot_inject_another_comparison(moderator):
    sneaky = "https://a.example/']OR[domain-name:value='gov.example"
    escaped = sneaky.replace("'", "\\'")
    source = import_bundle(partner_bundle(f"[url:value = '{escaped}']"), by=moderator)
    assert _values(source) == {("url", sneaky)}
    assert not Indicator.objects.filter(kind="domain").exists()


# -- refused whole, nothing created -------------------------------------------------

def _refused(data, moderator, match: str) -> None:
    with pytest.raises(StixImportError, match=match):
        import_bundle(data, by=moderator)
    assert not WatchSource.objects.exists() and not Indicator.objects.exists()


def test_too_large_a_file_is_refused(moderator):
    _refused(b" " * (MAX_BYTES + 1), moderator, "the limit is")


def test_not_json_is_refused(moderator):
    _refused(b'{"type": "bundle", ', moderator, "not JSON")
    _refused(b"\xff\xfe\x00", moderator, "not UTF-8")
    _refused(b'{"type": "bundle", "objects": [NaN]}', moderator, "not JSON")


def test_too_many_objects_are_refused_before_validation(moderator):
    from rostra.integrity.stix_import import MAX_OBJECTS

    doc = {"type": "bundle", "id": "bundle--11111111-2222-4333-8444-555555555555",
           "objects": [{"type": "identity", "id": f"x{n}"} for n in range(MAX_OBJECTS + 1)]}
    _refused(json.dumps(doc).encode(), moderator, "the limit is")


def test_deeply_nested_json_is_refused(moderator):
    _refused(b"[" * 100_000 + b"]" * 100_000, moderator, "nested deeper")
    nested = '{"type": "bundle", "objects": [' + '{"a": ' * 60 + "1" + "}" * 60 + "]}"
    _refused(nested.encode(), moderator, "nested deeper")


@pytest.mark.parametrize("doc", [[], "bundle", {"type": "report"}, {"objects": []},
                                 {"type": "bundle", "objects": "none"},
                                 {"type": "bundle", "objects": []},
                                 {"type": "bundle", "objects": [1, 2]},
                                 {"type": "bundle", "objects": [{"type": 3, "id": []}]}])
def test_wrong_shapes_are_refused(moderator, doc):
    _refused(json.dumps(doc).encode(), moderator, "bundle|object")


def test_invalid_stix_is_refused_with_the_validators_reason(moderator):
    data = json.loads(partner_bundle("[domain-name:value = 'evil.example']"))
    data["objects"][1]["created"] = "2026-01-01T00:00:00Z"  # not to the millisecond
    _refused(json.dumps(data).encode(), moderator, "not valid STIX 2.1: .*created")


def test_an_unparseable_pattern_is_refused(moderator):
    data = json.loads(partner_bundle("[domain-name:value = 'evil.example']"))
    data["objects"][1]["pattern"] = "[domain-name:value = 'evil.example' OR ]"
    _refused(json.dumps(data).encode(), moderator, "not valid STIX 2.1|does not parse")


@pytest.mark.parametrize("pattern", [
    "[url:value LIKE 'http://%.example/']",
    "[domain-name:value MATCHES '^evil']",
    "[domain-name:value = 'a.example' AND domain-name:value = 'b.example']",
    "[url:value = 'http://a.example/'] AND [url:value = 'http://b.example/']",
    "[url:value = 'http://a.example/'] WITHIN 5 SECONDS",
    "[domain-name:value != 'good.example']",
    "[url:value = 'http://a.example/' OR ipv4-addr:value = '203.0.113.9']",
])
def test_unsupported_patterns_on_watched_objects_are_refused(moderator, pattern):
    _refused(partner_bundle("[domain-name:value = 'fine.example']", pattern), moderator,
             "unsupported pattern")


def test_a_bundle_with_nothing_to_watch_is_refused(moderator):
    _refused(partner_bundle("[ipv4-addr:value = '203.0.113.9']"), moderator,
             "no indicator this server can watch")


def test_a_bad_value_among_good_ones_creates_nothing(moderator):
    _refused(partner_bundle("[domain-name:value = 'fine.example']",
                            "[url:value LIKE 'x%']"), moderator, "unsupported")


# -- fuzz ---------------------------------------------------------------------------

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8),
                                                                      children, max_size=4),
    max_leaves=20)
_bundleish = st.fixed_dictionaries({
    "type": st.sampled_from(["bundle", "indicator", 3]),
    "id": st.sampled_from(["bundle--11111111-2222-4333-8444-555555555555", "x", 1]),
    "objects": st.lists(st.one_of(_json, st.fixed_dictionaries({
        "type": st.sampled_from(["indicator", "identity", "marking-definition"]),
        "id": st.text(max_size=50), "spec_version": st.just("2.1"),
        "pattern": st.text(max_size=60), "pattern_type": st.just("stix"),
        "created": st.just("2026-01-01T00:00:00.000Z"),
        "modified": st.just("2026-01-01T00:00:00.000Z"),
        "valid_from": st.just("2026-01-01T00:00:00.000Z")})), max_size=4)})


@FUZZ
@given(data=st.one_of(st.binary(max_size=200), _json.map(lambda v: json.dumps(v).encode()),
                      _bundleish.map(lambda v: json.dumps(v).encode())))
def test_the_importer_raises_only_its_own_error(moderator, data):
    try:
        import_bundle(data, by=moderator)
    except StixImportError:
        pass


@FUZZ
@given(value=st.text(max_size=80), prop=st.sampled_from(["url:value", "domain-name:value",
                                                         "user-account:user_id"]))
def test_any_string_in_a_pattern_is_stored_literally_or_refused(moderator, value, prop):
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    try:
        source = import_bundle(partner_bundle(f"[{prop} = '{escaped}']"), by=moderator)
    except StixImportError:
        return
    assert source.report.created + source.report.updated == 1
