"""The DSA Transparency Database's request rules, checked on their own.

The vocabulary its API validates (enum keys, the category and keyword taxonomy in
force from 1 July 2025, countries, languages, date bounds) and ``validate``, which
answers with the API's error messages for a statement, and ``dropped_fields``, the
fields it would ignore. Nothing here knows our decisions, so a test can prove that
what ``transparency_db`` exports would be accepted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from urllib.parse import urlsplit

# --- the database's vocabulary (enum keys as its API validates them) ----------------

VISIBILITY_OTHER = "DECISION_VISIBILITY_OTHER"
DECISION_VISIBILITIES = (
    "DECISION_VISIBILITY_CONTENT_REMOVED", "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED", "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED", "DECISION_VISIBILITY_CONTENT_LABELLED",
    VISIBILITY_OTHER)
DECISION_MONETARIES = ("DECISION_MONETARY_SUSPENSION", "DECISION_MONETARY_TERMINATION",
                       "DECISION_MONETARY_OTHER")
DECISION_PROVISIONS = ("DECISION_PROVISION_PARTIAL_SUSPENSION",
                       "DECISION_PROVISION_TOTAL_SUSPENSION",
                       "DECISION_PROVISION_PARTIAL_TERMINATION",
                       "DECISION_PROVISION_TOTAL_TERMINATION")
DECISION_ACCOUNTS = ("DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED")
ACCOUNT_TYPES = ("ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE")
ILLEGAL_GROUND = "DECISION_GROUND_ILLEGAL_CONTENT"
INCOMPATIBLE_GROUND = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
YES_NO = ("Yes", "No")
CONTENT_TYPES = ("CONTENT_TYPE_APP", "CONTENT_TYPE_AUDIO", "CONTENT_TYPE_IMAGE",
                 "CONTENT_TYPE_PRODUCT", "CONTENT_TYPE_SYNTHETIC_MEDIA", "CONTENT_TYPE_TEXT",
                 "CONTENT_TYPE_VIDEO", "CONTENT_TYPE_OTHER")
SOURCE_TYPES = ("SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION",
                "SOURCE_VOLUNTARY")
AUTOMATED_DECISIONS = ("AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY",
                       "AUTOMATED_DECISION_NOT_AUTOMATED")
CATEGORIES = tuple(f"STATEMENT_CATEGORY_{name}" for name in (
    "ANIMAL_WELFARE", "CONSUMER_INFORMATION", "CYBER_VIOLENCE", "CYBER_VIOLENCE_AGAINST_WOMEN",
    "DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", "ILLEGAL_OR_HARMFUL_SPEECH",
    "INTELLECTUAL_PROPERTY_INFRINGEMENTS", "NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "NOT_SPECIFIED_NOTICE", "OTHER_VIOLATION_TC", "PROTECTION_OF_MINORS",
    "RISK_FOR_PUBLIC_SECURITY", "SCAMS_AND_FRAUD", "SELF_HARM", "UNSAFE_AND_PROHIBITED_PRODUCTS",
    "VIOLENCE"))
KEYWORDS = tuple(f"KEYWORD_{name}" for name in """
    ANIMAL_HARM ADULT_SEXUAL_MATERIAL AGE_SPECIFIC_RESTRICTIONS AGE_SPECIFIC_RESTRICTIONS_MINORS
    BIOMETRIC_DATA_BREACH BULLYING_AGAINST_GIRLS CHILD_SEXUAL_ABUSE_MATERIAL
    CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE CONTENT_PROMOTING_EATING_DISORDERS COORDINATED_HARM
    COPYRIGHT_INFRINGEMENT CYBER_BULLYING_INTIMIDATION CYBER_HARASSMENT
    CYBER_HARASSMENT_AGAINST_WOMEN CYBER_INCITEMENT CYBER_STALKING CYBER_STALKING_AGAINST_WOMEN
    DATA_FALSIFICATION DEFAMATION DESIGN_INFRINGEMENT DISCRIMINATION
    MISINFORMATION_DISINFORMATION FEMALE_GENDERED_DISINFORMATION
    GEOGRAPHIC_INDICATIONS_INFRINGEMENT GEOGRAPHICAL_REQUIREMENTS GOODS_SERVICES_NOT_PERMITTED
    GROOMING_SEXUAL_ENTICEMENT_MINORS HATE_SPEECH HIDDEN_ADVERTISEMENT HUMAN_EXPLOITATION
    HUMAN_TRAFFICKING ILLEGAL_ORGANIZATIONS IMPERSONATION_ACCOUNT_HIJACKING INAUTHENTIC_ACCOUNTS
    INAUTHENTIC_LISTINGS INAUTHENTIC_USER_REVIEWS INCITEMENT_AGAINST_WOMEN
    INCITEMENT_VIOLENCE_HATRED INSUFFICIENT_INFORMATION_ON_TRADERS LANGUAGE_REQUIREMENTS
    MISLEADING_INFO_CONSUMER_RIGHTS MISLEADING_INFO_GOODS_SERVICES MISSING_PROCESSING_GROUND
    NON_CONSENSUAL_IMAGE_SHARING NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN
    NON_CONSENSUAL_MATERIAL_DEEPFAKE NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN
    NONCOMPLIANCE_PRICING NUDITY PATENT_INFRINGEMENT PHISHING PROHIBITED_PRODUCTS PYRAMID_SCHEMES
    RIGHT_TO_BE_FORGOTTEN RISK_ENVIRONMENTAL_DAMAGE RISK_PUBLIC_HEALTH SELF_MUTILATION STALKING
    SUICIDE TERRORIST_CONTENT TRADE_SECRET_INFRINGEMENT TRADEMARK_INFRINGEMENT
    TRAFFICKING_WOMEN_GIRLS UNLAWFUL_SALE_ANIMALS UNSAFE_CHALLENGES UNSAFE_PRODUCTS
    VIOLATION_EU_LAW VIOLATION_NATIONAL_LAW OTHER""".split())
# EU 27, Iceland, Liechtenstein and Norway: its ``EUROPEAN_COUNTRY_CODES``.
COUNTRIES = tuple("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL "
                  "PT RO SE SI SK".split())
# ISO 639-1, upper case: its ``ALL_LANGUAGES``.
LANGUAGES = frozenset("""
    AB AA AF AK SQ AM AR AN HY AS AV AE AY AZ BM BA EU BE BN BH BI BS BR BG MY CA KM CH CE NY ZH
    CU CV KW CO CR HR CS DA DV NL DZ EN EO ET EE FO FJ FI FR FF GD GL LG KA DE KI EL KL GN GU HT
    HA HE HZ HI HO HU IS IO IG ID IA IE IU IK GA IT JA JV KN KR KS KK RW KV KG KO KJ KU KY LO LA
    LV LB LI LN LT LU MK MG MS ML MT GV MI MR MH RO MN NA NV ND NG NE SE NO NB NN II OC OJ OR OM
    OS PI PA PS FA PL PT QU RM RN RU SM SG SA SC SR SN SD SI SK SL SO ST NR ES SU SW SS SV TL TY
    TG TA TT TE TH BO TI TO TS TN TR TK TW UG UK UR UZ VE VI VO WA CY FY WO XH YI YO ZA ZU
    """.split())
EARLIEST_CONTENT, EARLIEST_APPLICATION = date(2000, 1, 1), date(2020, 1, 1)
LATEST = date(2038, 1, 1)  # no date after this one


# --- the API's request rules, checked on their own -----------------------------------
#
# A small reading of Laravel's validator, enough for the rules of the statement
# request (``StatementStoreRequest``; the batch endpoint applies the same to each
# statement): a field that is absent is checked only by the ``required*`` rules; a
# field that is null and ``nullable`` by none else; ``exclude*`` drops a field
# unchecked; every failing rule adds its message (no bail). Strings are trimmed and
# "" becomes null first, as Laravel's global middleware does to every request.

Rule = tuple
_DECISIONS = ("decision_visibility", "decision_monetary", "decision_provision",
              "decision_account")
_PUID = re.compile(r"[a-zA-Z0-9_-]+")
_EAN = re.compile(r"[0-9]{13}")


def _in(values: Iterable[str], nullable: bool = False) -> Rule:
    return ("in", frozenset(values) | ({"null"} if nullable else set()))


def _without(name: str) -> Rule:
    return ("required_without_all", tuple(d for d in _DECISIONS if d != name))


def _has(name: str, key: str) -> Callable[[Mapping], bool]:
    """Laravel's ``in_array(key, (array) $this->get(name, []))``."""
    def check(data: Mapping) -> bool:
        value = data.get(name)
        values = value if isinstance(value, list | dict) else [] if value is None else [value]
        return key in (list(values.values()) if isinstance(values, dict) else values)
    return check


def _not(check: Callable[[Mapping], bool]) -> Callable[[Mapping], bool]:
    return lambda data: not check(data)


_DATE = ("date_format", "Y-m-d")
RULES: dict[str, tuple[Rule, ...]] = {
    "content_id": (("array",), ("nullable",)),
    "content_id.EAN-13": (("string",), ("regex", _EAN)),
    "content_id_ean": (("nullable",), ("string",), ("regex", _EAN)),
    "decision_visibility": (("array",), _in(DECISION_VISIBILITIES, True),
                            _without("decision_visibility"), ("nullable",)),
    "decision_visibility_other": (
        ("max", 500), ("required_when", _has("decision_visibility", VISIBILITY_OTHER)),
        ("exclude_when", _not(_has("decision_visibility", VISIBILITY_OTHER)))),
    "decision_monetary": (_in(DECISION_MONETARIES, True), _without("decision_monetary"),
                          ("nullable",)),
    "decision_monetary_other": (("required_if", "decision_monetary", "DECISION_MONETARY_OTHER"),
                                ("exclude_unless", "decision_monetary", "DECISION_MONETARY_OTHER"),
                                ("max", 500)),
    "decision_provision": (_in(DECISION_PROVISIONS, True), _without("decision_provision"),
                           ("nullable",)),
    "decision_account": (_in(DECISION_ACCOUNTS, True), _without("decision_account"),
                         ("nullable",)),
    "account_type": (_in(ACCOUNT_TYPES, True), ("nullable",)),
    "category_specification": (("array",), _in(KEYWORDS, True), ("nullable",)),
    "category_specification_other": (("max", 500),),
    "decision_ground": (("required",), _in((ILLEGAL_GROUND, INCOMPATIBLE_GROUND))),
    "decision_ground_reference_url": (("url",), ("nullable",), ("max", 500)),
    **{name: (("required_if", "decision_ground", ground), ("exclude_unless", "decision_ground",
                                                          ground), ("max", limit))
       for name, ground, limit in (
           ("illegal_content_legal_ground", ILLEGAL_GROUND, 500),
           ("illegal_content_explanation", ILLEGAL_GROUND, 2000),
           ("incompatible_content_ground", INCOMPATIBLE_GROUND, 500),
           ("incompatible_content_explanation", INCOMPATIBLE_GROUND, 2000))},
    "incompatible_content_illegal": (_in(YES_NO), ("exclude_unless", "decision_ground",
                                                   INCOMPATIBLE_GROUND)),
    "content_type": (("array",), ("required",), _in(CONTENT_TYPES)),
    "content_type_other": (
        ("max", 500), ("required_when", _has("content_type", "CONTENT_TYPE_OTHER")),
        ("exclude_when", _not(_has("content_type", "CONTENT_TYPE_OTHER")))),
    "category": (("required",), _in(CATEGORIES)),
    "category_addition": (("array",), _in(CATEGORIES)),
    "territorial_scope": (("array",), ("nullable",), _in(COUNTRIES)),
    "content_language": (_in(LANGUAGES), ("nullable",)),
    "content_date": (("required",), _DATE, ("after_or_equal", EARLIEST_CONTENT),
                     ("before_or_equal", LATEST)),
    "application_date": (("required",), _DATE, ("after_or_equal", EARLIEST_APPLICATION),
                         ("before_or_equal", LATEST)),
    **{f"end_date_{what}_restriction": (_DATE, ("nullable",), ("before_or_equal", LATEST))
       for what in ("account", "monetary", "service", "visibility")},
    "decision_facts": (("required",), ("max", 5000)),
    "source_type": (("required",), _in(SOURCE_TYPES)),
    "source_identity": (("max", 500), ("exclude_when", _has("source_type", "SOURCE_VOLUNTARY"))),
    "automated_detection": (("required",), _in(YES_NO)),
    "automated_decision": (("required",), _in(AUTOMATED_DECISIONS)),
    "puid": (("required",), ("max", 500), ("regex", _PUID)),
}
# The API's own wording where it replaces Laravel's (``field.rule``). A
# ``Rule::requiredIf`` fails as "required", so its "required_if" wording never shows.
MESSAGES = {
    "decision_monetary_other.required_if":
        "The decision monetary other field is required when decision monetary is other.",
    "puid.regex": "The puid format is invalid.",
    **{f"{name}.required_if": f"The {name.replace('_', ' ')} field is required when decision "
                              f"ground is {what} content."
       for name, what in (("illegal_content_legal_ground", "illegal"),
                          ("illegal_content_explanation", "illegal"),
                          ("incompatible_content_ground", "incompatible"),
                          ("incompatible_content_explanation", "incompatible"))},
    "content_date.date_format": "The content date does not match the format YYYY-MM-DD.",
    "application_date.date_format": "The application date does not match the format YYYY-MM-DD.",
    **{f"end_date_{what}_restriction.date_format":
       f"The end date of {what} restriction does not match the format YYYY-MM-DD."
       for what in ("account", "monetary", "service", "visibility")},
}
_IMPLICIT = frozenset({"required", "required_if", "required_when", "required_without_all"})


def validate(statement: Mapping) -> list[str]:
    """The API's error messages for ``statement`` (none: it would be accepted, but
    for the ``puid``'s uniqueness, which only the database knows)."""
    data = _trimmed(dict(statement))
    errors: list[str] = []
    for name, rules in RULES.items():
        if any(_excluded(rule, data) for rule in rules):
            continue
        present, value = _lookup(data, name)
        nullable = ("nullable",) in rules
        for rule in rules:
            if rule[0] in ("nullable", "exclude_when", "exclude_unless"):
                continue
            if rule[0] not in _IMPLICIT and (not present or (value is None and nullable)):
                continue
            if not _passes(rule, value, data, rules):
                errors.append(_message(name, rule))
    return errors


def dropped_fields(statement: Mapping) -> list[str]:
    """Fields the database would ignore: unknown, excluded by a rule, or blanked
    after validation (a keyword text without KEYWORD_OTHER, a voluntary source's
    identity)."""
    data = _trimmed(dict(statement))
    known = {name.split(".")[0] for name in RULES}
    dropped = [name for name in data if name not in known]
    dropped += [name for name, rules in RULES.items() if name in data
                and any(_excluded(rule, data) for rule in rules)]
    if data.get("category_specification_other") is not None and not _has(
            "category_specification", "KEYWORD_OTHER")(data):
        dropped.append("category_specification_other")
    return sorted(set(dropped))


def _trimmed(value):
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return {k: _trimmed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_trimmed(v) for v in value]
    return value


def _lookup(data: Mapping, name: str) -> tuple[bool, object]:
    """Laravel's dot notation: ``content_id.EAN-13`` is a key of ``content_id``."""
    value: object = data
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


def _filled(value) -> bool:
    return value is not None and not (isinstance(value, list | dict) and not value)


def _excluded(rule: Rule, data: Mapping) -> bool:
    if rule[0] == "exclude_when":
        return rule[1](data)
    if rule[0] == "exclude_unless":
        return str(data.get(rule[1])) != rule[2]
    return False


def _size(value) -> int:
    return len(value) if isinstance(value, list | dict) else len(str(value))


def _date(value) -> date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _passes(rule: Rule, value, data: Mapping, rules: tuple[Rule, ...]) -> bool:
    kind = rule[0]
    if kind == "required":
        return _filled(value)
    if kind == "required_if":
        return _filled(value) or str(data.get(rule[1])) != rule[2]
    if kind == "required_when":
        return _filled(value) or not rule[1](data)
    if kind == "required_without_all":
        return _filled(value) or any(_filled(data.get(other)) for other in rule[1])
    if kind == "array":
        return isinstance(value, list | dict)
    if kind == "string":
        return isinstance(value, str)
    if kind == "in":
        if isinstance(value, list | dict):
            items = list(value.values()) if isinstance(value, dict) else value
            return ("array",) in rules and all(
                isinstance(v, str | int | float) and str(v) in rule[1] for v in items)
        return value is not None and str(value) in rule[1]
    if kind == "max":
        return value is None or _size(value) <= rule[1]
    if kind == "regex":
        return (isinstance(value, str | int | float) and not isinstance(value, bool)
                and rule[1].fullmatch(str(value)) is not None)
    if kind == "date_format":
        return _date(value) is not None
    if kind in ("after_or_equal", "before_or_equal"):
        day = _date(value)
        return day is not None and (day >= rule[1] if kind == "after_or_equal"
                                    else day <= rule[1])
    if kind == "url":
        parts = urlsplit(value) if isinstance(value, str) else None
        return bool(parts and parts.scheme in ("http", "https") and parts.netloc)
    raise ValueError(f"Unknown rule {kind!r}.")


def _message(name: str, rule: Rule) -> str:
    kind = rule[0]
    custom = MESSAGES.get(f"{name}.{'required' if kind == 'required_when' else kind}")
    if custom:
        return custom
    field_name = name.replace("_", " ")
    if kind in ("required", "required_when"):
        return f"The {field_name} field is required."
    if kind == "required_if":
        return f"The {field_name} field is required when {rule[1].replace('_', ' ')} is {rule[2]}."
    if kind == "required_without_all":
        others = " / ".join(other.replace("_", " ") for other in rule[1])
        return f"The {field_name} field is required when none of {others} are present."
    if kind == "in":
        return f"The selected {field_name} is invalid."
    if kind == "max":
        return f"The {field_name} field must not be greater than {rule[1]} characters."
    if kind == "date_format":
        return f"The {field_name} field must match the format {rule[1]}."
    if kind in ("after_or_equal", "before_or_equal"):
        side = "after" if kind == "after_or_equal" else "before"
        return f"The {field_name} field must be a date {side} or equal to {rule[1].isoformat()}."
    return {"array": f"The {field_name} field must be an array.",
            "string": f"The {field_name} field must be a string.",
            "regex": f"The {field_name} field format is invalid.",
            "url": f"The {field_name} field must be a valid URL."}[kind]
