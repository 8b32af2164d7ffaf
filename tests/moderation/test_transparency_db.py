"""Statements of reasons in the DSA Transparency Database's format: every decision
we export passes the API's request rules, says what was decided, on which ground
and on whose notice (never naming the notifier), and reaches the database in
batches of at most 100."""

from __future__ import annotations

import json
import sys
import threading
import types
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from rostra.core import net
from rostra.moderation import appeals, decisions, services, territories, transparency_db
from rostra.moderation.models import (
    ACCOUNT_MEASURES,
    Automation,
    Category,
    Decision,
    Ground,
    Measure,
    TrustedFlagger,
)
from rostra.moderation.transparency_db import export, statement
from rostra.moderation.transparency_db_rules import CATEGORIES, dropped_fields, validate
from rostra.posts.media import upload_media
from tests import factories

pytestmark = pytest.mark.django_db
BASE = "http://localhost:8000"
TOKEN = "7|sanctum-token-for-tests"
ILLEGAL = {"ground": Ground.ILLEGAL, "legal_ground": "Art. 2 Directive 2011/93/EU",
           "explanation": "The image shows a child in sexual abuse.",
           "facts": "A notice pointed to the image; a moderator confirmed it."}
TERMS = {"ground": Ground.TERMS, "terms_ground": "Rule 3: no spam",
         "explanation": "The post advertises bought followers.",
         "facts": "Posted 40 times in an hour to strangers."}
GROUNDS = {Ground.ILLEGAL: ILLEGAL, Ground.TERMS: TERMS}


@pytest.fixture
def mod():
    return factories.make_user("mod1", admin=True)


def notice_about(post, category=Category.SPAM, email="ana@example.org", name="Ana Notifier"):
    return services.file_notice(content_url=f"{BASE}/@{post.account.username}/{post.pk}",
                                category=category, explanation="Look at this.", name=name,
                                email=email, good_faith=True)


def decide_on_new_post(mod, measure, ground=Ground.TERMS, category=Category.SPAM, **kwargs):
    """A fresh account and post, a notice about it, and ``measure`` decided on it."""
    post = factories.make_post(factories.make_account(), "Buy followers now")
    return decisions.decide(notice_about(post, category), measure, by=mod,
                            label="Disputed claim", **GROUNDS[ground], **kwargs)


def exported(since=date(2020, 1, 1), until=None) -> dict[int, dict]:
    return {transparency_db.decision_id(s["puid"]): s for s in export(since, until)}


# --- what is exported ------------------------------------------------------------------

def test_every_measure_on_either_ground_is_a_valid_statement(mod):
    made = [decide_on_new_post(mod, measure, ground)
            for measure in Measure.values if measure != Measure.NONE for ground in Ground.values]
    statements = exported()
    assert sorted(statements) == sorted(d.pk for d in made)
    for item in statements.values():
        assert validate(item) == [], item
        assert dropped_fields(item) == [], item
    assert len({s["puid"] for s in statements.values()}) == len(made)


def test_every_category_maps_to_a_current_category(mod):
    for category in Category.values:
        decide_on_new_post(mod, Measure.REMOVE, Ground.ILLEGAL, category)
    statements = list(export(date(2020, 1, 1)))
    assert len(statements) == len(Category.values)
    for item in statements:
        assert validate(item) == [] and dropped_fields(item) == []
        assert item["category"] in CATEGORIES
    removed_v1 = {"STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR",
                  "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT",
                  "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE"}
    assert not removed_v1 & {s["category"] for s in statements}


def test_a_removal_of_illegal_content_names_the_law_and_never_the_notifier(alice, mod):
    post = factories.make_post(alice, "an image", language="de")
    decision = decisions.decide(notice_about(post, Category.CSAM), Measure.REMOVE, by=mod,
                                territorial_scope=["de", "AT"], **ILLEGAL)
    item = statement(decision)
    assert validate(item) == []
    assert item["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert item["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert item["illegal_content_legal_ground"] == "Art. 2 Directive 2011/93/EU"
    assert item["illegal_content_explanation"] == ILLEGAL["explanation"]
    assert item["decision_facts"] == ILLEGAL["facts"]
    assert not {k for k in item if k.startswith("incompatible_") or k.startswith("end_date")}
    assert item["category"] == "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
    assert item["category_specification"] == ["KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL"]
    assert item["content_type"] == ["CONTENT_TYPE_TEXT"] and item["content_language"] == "DE"
    assert item["content_date"] == post.published.date().isoformat()
    assert item["application_date"] == decision.starts_at.date().isoformat()
    assert item["source_type"] == "SOURCE_ARTICLE_16" and "source_identity" not in item
    assert item["automated_detection"] == "No"
    assert item["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert item["territorial_scope"] == ["AT", "DE"]
    assert item["account_type"] == "ACCOUNT_TYPE_PRIVATE"
    assert item["puid"] == f"localhost-8000-{decision.pk}"
    text = json.dumps(item)
    assert "Ana" not in text and "ana@example.org" not in text


def test_a_rules_decision_is_incompatible_content_everywhere_in_the_eea(alice, mod):
    decision = decisions.decide(notice_about(factories.make_post(alice)), Measure.LABEL,
                                by=mod, label="Advertising", **TERMS)
    item = statement(decision)
    assert item["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_LABELLED"]
    assert item["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert item["incompatible_content_ground"] == "Rule 3: no spam"
    assert item["incompatible_content_explanation"] == TERMS["explanation"]
    assert not {k for k in item if k.startswith("illegal_")}
    assert item["category"] == "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
    assert item["category_specification"] == ["KEYWORD_OTHER"]
    assert item["category_specification_other"] == "Spam"
    assert item["territorial_scope"] == sorted(territories.EEA)


def test_a_temporary_suspension_ends_on_its_end_date(alice, bob, mod):
    post = factories.make_post(alice, "hello")
    case = services.report(bob, alice, posts=[post], category="violation", comment="abuse")
    ends = timezone.now() + timedelta(days=7)
    item = statement(decisions.decide(case, Measure.SUSPEND, by=mod, ends_at=ends, **TERMS))
    assert validate(item) == []
    assert item["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"
    assert item["end_date_account_restriction"] == ends.astimezone(UTC).date().isoformat()
    assert "decision_visibility" not in item and "end_date_visibility_restriction" not in item
    assert item["content_type"] == ["CONTENT_TYPE_TEXT"]  # the reported post
    assert item["source_type"] == "SOURCE_TYPE_OTHER_NOTIFICATION"  # a report on rules


def test_termination_of_an_account_without_posts_is_about_the_account(alice, mod):
    case = services.open_own_initiative(mod, account=alice)
    item = statement(decisions.decide(case, Measure.TERMINATE, by=mod, **TERMS))
    assert validate(item) == [] and dropped_fields(item) == []
    assert item["decision_account"] == "DECISION_ACCOUNT_TERMINATED"
    assert item["content_type"] == ["CONTENT_TYPE_OTHER"]
    assert item["content_type_other"] == transparency_db.ACCOUNT_CONTENT
    assert item["content_date"] == alice.created_at.date().isoformat()
    assert item["source_type"] == "SOURCE_VOLUNTARY" and "end_date_account_restriction" not in item


@pytest.mark.parametrize("measure, field, key, end_field", [
    (Measure.DEMOTE, "decision_visibility", ["DECISION_VISIBILITY_CONTENT_DEMOTED"],
     "end_date_visibility_restriction"),
    (Measure.LIMIT, "decision_visibility", ["DECISION_VISIBILITY_CONTENT_DEMOTED"],
     "end_date_visibility_restriction"),
    (Measure.DISABLE_LOGIN, "decision_provision", "DECISION_PROVISION_PARTIAL_SUSPENSION",
     "end_date_service_restriction"),
])
def test_temporary_measures_carry_the_end_date_of_their_kind(mod, measure, field, key,
                                                             end_field):
    ends = timezone.now() + timedelta(days=30)
    item = statement(decide_on_new_post(mod, measure, ends_at=ends))
    assert validate(item) == []
    assert item[field] == key
    assert item[end_field] == ends.astimezone(UTC).date().isoformat()


@pytest.mark.parametrize("measure", [Measure.MARK_SENSITIVE, Measure.SENSITIZE])
def test_sensitive_marks_are_other_visibility_restrictions_explained(mod, measure):
    item = statement(decide_on_new_post(mod, measure))
    assert item["decision_visibility"] == ["DECISION_VISIBILITY_OTHER"]
    assert "warning" in item["decision_visibility_other"]
    assert validate(item) == []
    del item["decision_visibility_other"]
    assert validate(item) == ["The decision visibility other field is required."]


def test_source_types_follow_how_the_case_came(alice, bob, mod):
    def item_for(case, **kwargs):
        return statement(decisions.decide(case, Measure.REMOVE, by=kwargs.pop("by", mod),
                                          **TERMS, **kwargs))

    TrustedFlagger.objects.create(name="Safer Internet Hotline", email_domain="sih.eu")
    posts = [factories.make_post(alice, f"post {i}") for i in range(6)]
    by_flagger = item_for(notice_about(posts[0], Category.ILLEGAL_HATE, email="x@sih.eu"))
    assert by_flagger["source_type"] == "SOURCE_TRUSTED_FLAGGER"
    assert by_flagger["source_identity"] == "Safer Internet Hotline"
    legal_report = item_for(services.report(bob, alice, posts=[posts[1]], category="legal"))
    assert legal_report["source_type"] == "SOURCE_ARTICLE_16"
    flag = services.open_flag_case(external_id="https://other.example/flags/1", reporter=None,
                                   reporter_uri="https://other.example/users/eve",
                                   target=alice, posts=[posts[2]], comment="spam")
    federated = item_for(flag)
    assert federated["source_type"] == "SOURCE_TYPE_OTHER_NOTIFICATION"
    assert "source_identity" not in federated and "eve" not in json.dumps(federated)
    own = item_for(services.open_own_initiative(mod, posts=[posts[3]]))
    assert own["source_type"] == "SOURCE_VOLUNTARY" and "source_identity" not in own
    machine = item_for(services.open_own_initiative(None, posts=[posts[4]], automated=True),
                       by=None, automated_decision=Automation.FULLY)
    assert machine["source_type"] == "SOURCE_VOLUNTARY"
    assert machine["automated_detection"] == "Yes"
    assert machine["automated_decision"] == "AUTOMATED_DECISION_FULLY"
    helped = item_for(notice_about(posts[5]), automated_decision=Automation.PARTIALLY)
    assert helped["automated_decision"] == "AUTOMATED_DECISION_PARTIALLY"
    for item in (by_flagger, legal_report, federated, own, machine, helped):
        assert validate(item) == [] and dropped_fields(item) == []


def test_content_types_come_from_the_posts_media(alice, mod):
    from tests import video_samples

    image = factories.make_post(alice, "", media=[upload_media(alice, factories.image_bytes())])
    both = factories.make_post(alice, "look", media=[upload_media(alice, factories.image_bytes())])
    video = factories.make_post(alice, "", media=[upload_media(alice, video_samples.mp4())])
    types = {}
    for post in (image, both, video):
        decision = decisions.decide(notice_about(post), Measure.DISABLE, by=mod, **TERMS)
        types[post.pk] = statement(decision)["content_type"]
    assert types[image.pk] == ["CONTENT_TYPE_IMAGE"]
    assert types[both.pk] == ["CONTENT_TYPE_IMAGE", "CONTENT_TYPE_TEXT"]
    assert types[video.pk] == ["CONTENT_TYPE_VIDEO"]


def test_a_decision_not_to_act_is_no_statement(alice, mod):
    decision = decisions.decide(notice_about(factories.make_post(alice)), Measure.NONE, by=mod,
                                explanation="Nothing wrong with it.")
    assert list(export(date(2020, 1, 1))) == []
    with pytest.raises(transparency_db.StatementError):
        statement(decision)


def test_a_reversed_decision_stays_exported(alice, mod):
    decision = decide_on_new_post(mod, Measure.REMOVE)
    other = factories.make_user("mod2", admin=True)
    appeal = appeals.file_appeal(decision, "Mistake.", account=decision.target_account)
    appeals.review(appeal, by=other, reverse=True, response="Indeed.")
    decision.refresh_from_db()
    assert decision.reversed_at is not None
    assert list(exported()) == [decision.pk]


def test_long_texts_are_clipped_to_the_apis_limits(mod):
    decision = decide_on_new_post(mod, Measure.REMOVE, Ground.ILLEGAL)
    Decision.objects.filter(pk=decision.pk).update(explanation="why " * 1000)
    item = statement(Decision.objects.get(pk=decision.pk))
    assert len(item["illegal_content_explanation"]) == 2000
    assert item["illegal_content_explanation"].endswith("…") and validate(item) == []


# --- the checker refuses what the API refuses ---------------------------------------------

@pytest.fixture
def good(mod):
    return statement(decide_on_new_post(mod, Measure.REMOVE, Ground.ILLEGAL))


@pytest.mark.parametrize("change, message", [
    ({"decision_ground": None}, "The decision ground field is required."),
    ({"decision_facts": "  "}, "The decision facts field is required."),
    ({"content_type": []}, "The content type field is required."),
    ({"category": "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT"},
     "The selected category is invalid."),
    ({"category_specification": ["KEYWORD_DISINFORMATION"]},
     "The selected category specification is invalid."),
    ({"decision_visibility": "DECISION_VISIBILITY_CONTENT_REMOVED"},
     "The decision visibility field must be an array."),
    ({"content_type": ["CONTENT_TYPE_PRODUCT", "CONTENT_TYPE_HOLOGRAM"]},
     "The selected content type is invalid."),
    ({"content_type": ["CONTENT_TYPE_OTHER"]}, "The content type other field is required."),
    ({"puid": "rostra 42"}, "The puid format is invalid."),
    ({"puid": "rostra/42"}, "The puid format is invalid."),
    ({"puid": "a" * 501}, "The puid field must not be greater than 500 characters."),
    ({"illegal_content_legal_ground": None},
     "The illegal content legal ground field is required when decision ground is illegal "
     "content."),
    ({"illegal_content_explanation": "x" * 2001},
     "The illegal content explanation field must not be greater than 2000 characters."),
    ({"decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT"},
     "The incompatible content ground field is required when decision ground is "
     "incompatible content."),
    ({"decision_monetary": "DECISION_MONETARY_OTHER"},
     "The decision monetary other field is required when decision monetary is other."),
    ({"content_date": "2025-7-1"}, "The content date does not match the format YYYY-MM-DD."),
    ({"content_date": "1999-12-31"},
     "The content date field must be a date after or equal to 2000-01-01."),
    ({"application_date": "2019-12-31"},
     "The application date field must be a date after or equal to 2020-01-01."),
    ({"end_date_account_restriction": "2038-01-02"},
     "The end date account restriction field must be a date before or equal to 2038-01-01."),
    ({"end_date_visibility_restriction": "31/12/2030"},
     "The end date of visibility restriction does not match the format YYYY-MM-DD."),
    ({"territorial_scope": ["DE", "EL"]}, "The selected territorial scope is invalid."),
    ({"content_language": "de"}, "The selected content language is invalid."),
    ({"automated_detection": True}, "The selected automated detection is invalid."),
    ({"automated_decision": "No"}, "The selected automated decision is invalid."),
    ({"source_type": "SOURCE_OTHER"}, "The selected source type is invalid."),
    ({"account_type": "ACCOUNT_TYPE_GOVERNMENT"}, "The selected account type is invalid."),
    ({"decision_facts": "x" * 5001},
     "The decision facts field must not be greater than 5000 characters."),
    ({"content_id": {"EAN-13": "123"}}, "The content id.EAN-13 field format is invalid."),
])
def test_the_checker_refuses_a_broken_statement(good, change, message):
    assert message in validate({**good, **change})


def test_a_statement_needs_one_kind_of_decision(good):
    del good["decision_visibility"]
    assert validate(good) == [
        "The decision visibility field is required when none of decision monetary / decision "
        "provision / decision account are present.",
        "The decision monetary field is required when none of decision visibility / decision "
        "provision / decision account are present.",
        "The decision provision field is required when none of decision visibility / decision "
        "monetary / decision account are present.",
        "The decision account field is required when none of decision visibility / decision "
        "monetary / decision provision are present."]
    assert validate({**good, "decision_provision": "DECISION_PROVISION_TOTAL_SUSPENSION"}) == []


def test_fields_of_another_ground_or_source_are_dropped_not_refused(good):
    other = {**good, "incompatible_content_ground": "Rule 1", "source_type": "SOURCE_VOLUNTARY",
             "source_identity": "Someone", "category_specification": ["KEYWORD_PHISHING"],
             "category_specification_other": "x", "colour": "red"}
    assert validate(other) == []
    assert dropped_fields(other) == ["category_specification_other", "colour",
                                     "incompatible_content_ground", "source_identity"]
    del other["decision_ground"]  # nor are its own fields required then
    assert validate(other) == ["The decision ground field is required."]


# --- the command -----------------------------------------------------------------------

def _dated(decision: Decision, when: datetime) -> Decision:
    Decision.objects.filter(pk=decision.pk).update(created_at=when, starts_at=when)
    return decision


def test_export_writes_json_lines_for_the_period_only(mod, tmp_path, capsys):
    before, inside, last_day, after = (
        _dated(decide_on_new_post(mod, Measure.REMOVE), datetime(*day, 12, tzinfo=UTC))
        for day in ((2025, 2, 28), (2025, 3, 1), (2025, 3, 31), (2025, 4, 1)))
    out = tmp_path / "statements.jsonl"
    call_command("dsa", "export-statements", "--since", "2025-03-01", "--until", "2025-03-31",
                 "--output", str(out))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [transparency_db.decision_id(s["puid"]) for s in lines] == [inside.pk, last_day.pk]
    assert all(validate(s) == [] for s in lines)
    assert lines[0]["application_date"] == "2025-03-01"
    call_command("dsa", "export-statements", "--since", "2025-04-01")
    printed = capsys.readouterr().out.splitlines()
    assert [transparency_db.decision_id(json.loads(x)["puid"]) for x in printed] == [after.pk]
    assert before.pk not in exported(date(2025, 3, 1))


@pytest.mark.parametrize("args, message", [
    (["--since", "2025-02-30"], "--since: '2025-02-30' is not a date; write it as YYYY-MM-DD."),
    (["--since", "2025-03-01", "--until", "March"], "--until: 'March' is not a date"),
    (["--since", "2025-03-01", "--until", "2025-02-01"], "--until is before --since."),
    (["--since", "2025-03-01", "--send"], "set ROSTRA_DSA_ENDPOINT and ROSTRA_DSA_TOKEN"),
])
def test_export_explains_what_is_wrong(settings, args, message):
    settings.ROSTRA_DSA_ENDPOINT = settings.ROSTRA_DSA_TOKEN = ""
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        call_command("dsa", "export-statements", *args)


# --- sending, to a real loopback server ----------------------------------------------------

class _Database(BaseHTTPRequestHandler):
    """The batch endpoint as the API documents it: Bearer auth, 1 to 100 statements,
    all or nothing, 422 naming duplicates (``existing_puids``) or refused statements."""

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        state = self.server.state
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._answer(401, {"message": "Unauthenticated."})
        if self.path != "/api/v1/statements":
            return self._answer(404, {"message": "Not found."})
        if state["status"]:
            return self._answer(state["status"], {"message": "Server Error"})
        batch = json.loads(body)["statements"]
        state["batches"].append(len(batch))
        if not 1 <= len(batch) <= 100:
            return self._answer(422, {"errors": {"statements": ["Between 1 and 100."]}})
        puids = [s["puid"] for s in batch]
        existing = [p for p in puids if p in state["stored"]]
        if existing:
            return self._answer(422, {"message": "The platform identifier(s) are not all unique "
                                      "within this call.",
                                      "errors": {"puid": ["not unique"],
                                                 "existing_puids": existing}})
        refused = {f"statement_{i}": {"decision_facts": ["The decision facts are refused."]}
                   for i, s in enumerate(batch) if s["puid"] in state["refuse"]}
        if refused:
            return self._answer(422, {"errors": refused})
        state["stored"].update(puids)
        return self._answer(201, {"statements": [{"puid": p} for p in puids]})

    def _answer(self, status: int, data: dict) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def database(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Database)
    server.state = {"status": 0, "batches": [], "stored": set(), "refuse": set()}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    settings.ROSTRA_DSA_ENDPOINT = f"http://127.0.0.1:{server.server_address[1]}/"
    settings.ROSTRA_DSA_TOKEN = TOKEN
    yield server.state
    server.shutdown()
    server.server_close()
    net.close_connections()


def test_send_posts_the_unsent_statements_and_marks_them(mod, database, capsys):
    made = [decide_on_new_post(mod, m) for m in (Measure.REMOVE, Measure.SUSPEND, Measure.LABEL)]
    call_command("dsa", "export-statements", "--since", "2020-01-01", "--send")
    assert "Sent 3 statements" in capsys.readouterr().out
    assert database["batches"] == [3]
    assert database["stored"] == {f"localhost-8000-{d.pk}" for d in made}
    assert all(d.transparency_db_at for d in Decision.objects.all())
    call_command("dsa", "export-statements", "--since", "2020-01-01", "--send")
    assert database["batches"] == [3]  # nothing left to send


def test_send_splits_into_batches_of_at_most_100(good, database, settings):
    statements = [{**good, "puid": f"other-platform-{i}"} for i in range(205)]
    report = transparency_db.send(statements, settings.ROSTRA_DSA_ENDPOINT, TOKEN)
    assert report.ok and len(report.sent) == 205
    assert database["batches"] == [100, 100, 5]


def test_a_refused_statement_is_reported_and_the_rest_of_its_batch_sent(mod, database, settings):
    first, refused, duplicate = (decide_on_new_post(mod, Measure.REMOVE) for _ in range(3))
    database["refuse"].add(transparency_db.puid(refused))
    database["stored"].add(transparency_db.puid(duplicate))  # sent by an earlier run
    report = transparency_db.send(export(date(2020, 1, 1)), settings.ROSTRA_DSA_ENDPOINT, TOKEN)
    assert report.sent == [transparency_db.puid(first)]
    assert report.already_sent == [transparency_db.puid(duplicate)]
    assert report.failed == {transparency_db.puid(refused): ["The decision facts are refused."]}
    marked = set(Decision.objects.filter(transparency_db_at__isnull=False)
                 .values_list("pk", flat=True))
    assert marked == {first.pk, duplicate.pk}


def test_an_invalid_statement_is_never_sent(good, database, settings):
    report = transparency_db.send([{**good, "puid": "not valid!"}],
                                  settings.ROSTRA_DSA_ENDPOINT, TOKEN)
    assert report.failed == {"not valid!": ["The puid format is invalid."]}
    assert database["batches"] == []


def test_a_server_error_stops_the_sending_and_marks_nothing(mod, database):
    decide_on_new_post(mod, Measure.REMOVE)
    database["status"] = 503
    with pytest.raises(CommandError, match="HTTP 503"):
        call_command("dsa", "export-statements", "--since", "2020-01-01", "--send")
    assert not Decision.objects.filter(transparency_db_at__isnull=False).exists()


def test_a_wrong_token_is_refused_and_marks_nothing(mod, database, settings):
    decide_on_new_post(mod, Measure.REMOVE)
    report = transparency_db.send(export(date(2020, 1, 1)), settings.ROSTRA_DSA_ENDPOINT,
                                  "wrong")
    assert "HTTP 401" in report.error and not report.sent
    assert not Decision.objects.filter(transparency_db_at__isnull=False).exists()


def test_account_measures_are_not_visibility_restrictions(mod):
    for measure in ACCOUNT_MEASURES - {Measure.LIMIT, Measure.SENSITIZE}:
        item = statement(decide_on_new_post(mod, measure))
        assert "decision_visibility" not in item, measure


def test_the_transparency_report_subcommand_passes_its_period_on(monkeypatch, tmp_path, capsys):
    calls = []

    def write_report(start, end, output):
        calls.append((start, end, output))
        return [output / "report.html"]

    monkeypatch.setitem(sys.modules, "rostra.moderation.transparency_report",
                        types.SimpleNamespace(write_report=write_report))
    call_command("dsa", "transparency-report", "--from", "2025-01-01", "--to", "2025-06-30",
                 "--output", str(tmp_path))
    assert calls == [(date(2025, 1, 1), date(2025, 6, 30), tmp_path)]
    assert capsys.readouterr().out.strip() == str(tmp_path / "report.html")
    with pytest.raises(CommandError, match="--to is before --from"):
        call_command("dsa", "transparency-report", "--from", "2025-06-30", "--to", "2025-01-01",
                     "--output", str(tmp_path))
