"""The user service's rules (001, 40.4.0–40.12.0): who may manage whom, languages, e-mail changes,
privileges, PMR keys, options and supported services — each a function on the site's users that
raises the typed Webex error (:mod:`webex.errors`) when a request breaks it, with the faults of the
behaviours it implements.

:mod:`emulator.services.user` reads a request's parameters, calls these and shapes the answer.
Stands on :mod:`emulator.model`, :mod:`emulator.services.common` and :mod:`emulator.services.site`
(who is an administrator), and on :mod:`emulator.services.meeting` for ``device-can-start``.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from datetime import datetime, timedelta

from webex_harness.emulator.dispatch import Call
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import RequestEmails, User, digits, generate_password
from webex_harness.emulator.services import common, user_fields
from webex_harness.emulator.services.meeting import DEVICE_CAN_START
from webex_harness.emulator.services.site import is_site_admin, is_user_admin
from webex_harness.emulator.xmlio import Node
from webex_harness.webex import timezones
from webex_harness.webex.errors import access_denied, invalid_value, webex_error

DISPLAY_NAME = declare("display-name", "stores and returns displayName even when the EnableDisplayName toggle is off")
CMR_HYBRID_VOIP = declare("cmr-hybrid-voip", "SetUser ignores cmrHybridVoip (the value set by CreateUser stays)")
SUPPORTED_SERVICES_CI_SITE = declare(
    "supported-services-ci-site", "SetUser changes supportedServices on a Control-Hub-linked (CI) site too"
)
E2EE_PMR_110063 = declare(
    "e2ee-pmr-110063", "enables the PMR even when the site has only E2EE meeting types (no 110063)"
)
USER_MANAGEMENT_ROLE = declare(
    "user-management-role", "drops privilege/umSiteAdmin (never stored, always reported false)"
)
EMAIL_CHANGE_VERIFICATION = declare(
    "email-change-verification", "applies a non-admin's e-mail change at once although the site requires confirmation"
)
PMR_KEY_STABLE = declare(
    "pmr-key-stable", "issues a new PMR key whenever a user or PMR is reactivated, within a week too"
)
USER_PROFILE = declare("user-profile-round-trip", "SetUser ignores the profile elements GetUser answers")
WELCOME_EMAIL_LANGUAGES = declare(
    "welcome-email-languages", "rejects languageID 19-22 and the names Czech, Polish, Hungarian, Romanian"
)

#: Webex ``languageID`` -> language name. 19–22 are the four welcome-e-mail languages of
#: 001 (40.7.0); 1–18 follow the public XML API reference (guess where it is unclear).
LANGUAGES: dict[int, str] = {
    1: "ENGLISH",
    2: "INTERNATIONAL ENGLISH",
    3: "SIMPLIFIED CHINESE",
    4: "TRADITIONAL CHINESE",
    5: "JAPANESE",
    6: "KOREAN",
    7: "FRENCH",
    8: "CANADIAN FRENCH",
    9: "GERMAN",
    10: "ITALIAN",
    11: "CASTILIAN SPANISH",
    12: "SPANISH",
    13: "SWEDISH",
    14: "DUTCH",
    15: "BRAZILIAN PORTUGUESE",
    16: "RUSSIAN",
    17: "TURKISH",
    18: "DANISH",
    19: "CZECH",
    20: "POLISH",
    21: "HUNGARIAN",
    22: "ROMANIAN",
}
_NEW_LANGUAGES = {19, 20, 21, 22}
_PMR_KEY_KEPT_FOR = timedelta(weeks=1)
SERVICES = ("meetingCenter", "trainingCenter", "eventCenter", "supportCenter")
_ASIAN = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


# ---------------------------------------------------------------- who, what


def target_user(call: Call, node: Node) -> User:
    """The user ``webExId`` names (the caller when absent); unknown -> 030001."""
    webex_id = (node.get("webExId") or "").strip()
    if not webex_id:
        return call.user()
    user = call.site.user(webex_id)
    if user is None:
        raise webex_error("030001")
    return user


def may_manage(call: Call, target: User) -> None:
    caller = call.user()
    if caller is not target and not is_user_admin(call, caller):
        raise access_denied()


def _bool_at(node: Node, path: str) -> bool | None:
    value = node.get(path)
    parsed = common.parse_bool(value)
    if value is not None and value.strip() and parsed is None:
        raise invalid_value(path.rsplit("/", 1)[-1])
    return parsed


def _language(call: Call, node: Node) -> int | None:
    """Behaviour ``welcome-email-languages`` (001, 40.7.0, 40.4.3): ``languageID`` 1–22 or a
    ``language`` name. An ID outside the table or an unknown name is undocumented in the seeds;
    the emulator rejects it with 010001 (invalid value)."""
    broken = call.fault(WELCOME_EMAIL_LANGUAGES)
    language_id = common.parse_int(node.get("languageID"), "languageID")
    if language_id is not None:
        if language_id not in LANGUAGES or (broken and language_id in _NEW_LANGUAGES):
            raise invalid_value("languageID")
        return language_id
    name = (node.get("language") or "").strip().upper()
    if not name:
        return None
    for lid, lname in LANGUAGES.items():
        if lname == name and not (broken and lid in _NEW_LANGUAGES):
            return lid
    raise invalid_value("language")


def _email(call: Call, node: Node) -> str | None:
    """The request's e-mail, validated (``email-no-whitespace``) and claimed for this request
    (``duplicate-email-first-wins``: a later bodyContent of the same request carrying an e-mail
    an earlier one used is not processed)."""
    raw = node.get("email")
    if raw is None or not raw.strip():
        return None
    email = common.normalise_email(call, raw)
    if not call.fault(common.DUPLICATE_EMAIL_FIRST_WINS):
        # One request = one headers mapping shared by all its bodyContents.
        used = call.site.request_emails
        if used is None or used.headers is not call.headers:
            used = RequestEmails(call.headers)
            call.site.request_emails = used
        if email.lower() in used.emails:
            raise webex_error("030050", email)
    return email


def _claim(call: Call, email: str | None) -> None:
    """Remember ``email`` as used by this request, once the bodyContent succeeded."""
    used = call.site.request_emails
    if email and used is not None and used.headers is call.headers:
        used.emails.add(email.lower())


def _check_pmr(call: Call, enable: bool | None) -> None:
    """Behaviour ``e2ee-pmr-110063`` (001, 40.6.1): enabling a PMR (``privilege/isEnablePMR``, the
    element of the public reference) while only E2EE meeting types exist fails with 110063."""
    if enable and call.site.settings.e2ee_only_meeting_types and not call.fault(E2EE_PMR_110063):
        raise webex_error("110063")


def check_readable(call: Call, user: User) -> None:
    """GetUser/GetMe of a user whose PMR is on, on a site with only E2EE meeting types: 110063."""
    if user.pmr_enabled:
        _check_pmr(call, True)


def _new_pmr_key_if_stale(call: Call, user: User, since: datetime | None) -> None:
    """Behaviour ``pmr-key-stable`` (001, 40.6.0): reactivated within one week, the PMR key is
    kept; after more than a week a new one may be issued (the emulator issues one)."""
    stale = since is None or call.now() - since > _PMR_KEY_KEPT_FOR
    if stale or call.fault(PMR_KEY_STABLE):
        user.pmr_key = digits(10)
        user.pmr_key_issued = call.now()


def _set_active(call: Call, user: User, value: str | None) -> None:
    if value is None or not value.strip():
        return
    word = value.strip().upper()
    if word not in ("ACTIVATED", "DEACTIVATED"):
        raise invalid_value("active")
    if word == "DEACTIVATED" and user.active:
        user.active = False
        user.deactivated_at = call.now()
    elif word == "ACTIVATED" and not user.active:
        user.active = True
        _new_pmr_key_if_stale(call, user, user.deactivated_at)
        user.deactivated_at = None


def _set_pmr_enabled(call: Call, user: User, enable: bool | None) -> None:
    if enable is None or enable == user.pmr_enabled:
        return
    if not enable:
        user.pmr_enabled = False
        user.pmr_disabled_at = call.now()
        return
    user.pmr_enabled = True
    disabled_at, user.pmr_disabled_at = user.pmr_disabled_at, None
    if disabled_at is not None:
        _new_pmr_key_if_stale(call, user, disabled_at)


def _apply_privileges(call: Call, user: User, node: Node, creating: bool) -> None:
    privilege = node.child("privilege")
    if privilege is None:
        return
    caller = call.user()
    admin = is_user_admin(call, caller)
    for path, attr in (
        ("host", "host"),
        ("siteAdmin", "site_admin"),
        ("umSiteAdmin", "um_site_admin"),
        ("labAdmin", "lab_admin"),
        ("voiceOverIp", "voice_over_ip"),
    ):
        value = _bool_at(privilege, path)
        if value is None:
            continue
        if attr in ("site_admin", "um_site_admin") and not creating and not admin and value != getattr(user, attr):
            raise access_denied()
        if attr == "um_site_admin" and call.fault(USER_MANAGEMENT_ROLE):
            value = False
        setattr(user, attr, value)
    _set_pmr_enabled(call, user, _bool_at(privilege, "isEnablePMR"))


def _apply_options(call: Call, user: User, node: Node, creating: bool) -> None:
    """Names, display name, options, PMR device start, supported services."""
    for path, attr in (("firstName", "first_name"), ("lastName", "last_name")):
        value = node.get(path)
        if value is not None:
            setattr(user, attr, value)
    display = node.get("displayName")
    if display is not None and (call.site.settings.enable_display_name or call.fault(DISPLAY_NAME)):
        user.display_name = display.strip() or None
    voip = _bool_at(node, "cmrHybridVoip")
    if voip is not None and (creating or not call.fault(CMR_HYBRID_VOIP)):
        user.cmr_hybrid_voip = voip
    device = _bool_at(node, "personalMeetingRoom/deviceCanStartMyPMR")
    if device is not None and not call.fault(DEVICE_CAN_START):
        user.device_can_start_pmr = device
    services = node.child("supportedServices")
    if services is not None:
        _apply_supported_services(call, user, services, creating)
    tz = common.parse_int(node.get("timeZoneID"), "timeZoneID")
    if tz is not None:
        if not timezones.valid_time_zone_id(tz):
            raise invalid_value("timeZoneID")
        user.time_zone_id = tz
    for name in ("sendWelcome", "isHTMLEmail"):
        value = node.get(name)
        if value is not None:
            user.fields[name] = value


def profile_values(node: Node) -> dict[str, str]:
    """The profile elements of a CreateUser/SetUser that GetUser answers (:data:`user_fields.KEPT`),
    checked before anything changes: a boolean kept as ``true``/``false``, a number as its digits;
    a malformed one fails with 010001 naming the element."""
    kept: dict[str, str] = {}
    for field in user_fields.KEPT:
        if field.kind == "bool":
            flag = _bool_at(node, field.path)
            if flag is not None:
                kept[field.path] = "true" if flag else "false"
            continue
        value = node.get(field.path)
        if value is None:
            continue
        if field.kind == "int":
            number = common.parse_int(value, field.path.rsplit("/", 1)[-1])
            kept[field.path] = "" if number is None else str(number)
        else:
            kept[field.path] = value.strip()
    return kept


def _apply_supported_services(call: Call, user: User, services: Node, creating: bool) -> None:
    """Behaviour ``supported-services-ci-site`` (001, 40.12.0).

    On a Control-Hub-linked (CI unified) site "SetUser don't support change value of
    supportedServices" and "there's no schema change on the API: SetUser" — no new exception is
    documented, so the emulator does not fail the request: the element is silently ignored,
    the rest of the SetUser applies, and GetUser keeps showing the previous services.
    CreateUser still sets them (the note is about changing them).
    """
    if not creating and call.site.settings.ci_linked_site and not call.fault(SUPPORTED_SERVICES_CI_SITE):
        return
    for name in SERVICES:
        value = _bool_at(services, name)
        if value is not None:
            user.supported_services[name] = value


def _apply_email(call: Call, user: User, email: str | None) -> None:
    """Behaviour ``email-change-verification`` (001, 40.4.0): with "confirmation required" on,
    a non-administrator's change keeps the current e-mail and makes the new one pending (the
    latest request wins); a site administrator's change applies at once."""
    if email is None or email.lower() == user.email.lower():
        if email is not None:
            user.pending_email = None
        return
    confirm = call.site.settings.email_confirmation_required and not call.fault(EMAIL_CHANGE_VERIFICATION)
    if confirm and not is_site_admin(call, call.user()):
        user.pending_email = email
        return
    user.email = email
    user.pending_email = None


def display_name(call: Call, user: User) -> str | None:
    """Behaviour ``display-name`` (001, 40.11.0): only with EnableDisplayName = 1; when none is
    stored, ``firstName + " " + lastName`` (``firstName + lastName`` for Asian characters)."""
    if not call.site.settings.enable_display_name and not call.fault(DISPLAY_NAME):
        return None
    if user.display_name:
        return user.display_name
    joiner = "" if _ASIAN.search(user.first_name + user.last_name) else " "
    return joiner.join(p for p in (user.first_name, user.last_name) if p) or user.webex_id


# ---------------------------------------------------------------- create, change, deactivate


def create_user(call: Call, node: Node) -> User:
    """CreateUser's rules (001, 40.4.3, 40.6.0, 40.7.0, 40.10.0, 40.11.0): an administrator
    provisions a new ``webExId`` with an e-mail; everything is checked before the user is added."""
    caller = call.user()
    if not is_user_admin(call, caller):
        raise access_denied()
    webex_id = (node.get("webExId") or "").strip()
    if not webex_id or len(webex_id) > 64 or any(ch.isspace() for ch in webex_id):
        raise invalid_value("webExId")
    if call.site.user(webex_id) is not None:
        raise webex_error("030004")
    email = _email(call, node)
    if email is None:
        raise invalid_value("email")
    language_id = _language(call, node)
    profile = profile_values(node)
    _check_pmr(call, _bool_at(node, "privilege/isEnablePMR"))
    user = User(webex_id, node.get("password") or generate_password(), email=email)
    user.registered_at = call.now()
    user.pmr_key_issued = call.now()
    user.host = True
    _apply_privileges(call, user, node, creating=True)
    _apply_options(call, user, node, creating=True)
    user.fields.update(profile)
    if language_id is not None:
        user.language_id = language_id
    active = node.get("active")
    if active is not None and active.strip().upper() == "DEACTIVATED":
        user.active = False
        user.deactivated_at = call.now()
    elif active is not None and active.strip() and active.strip().upper() != "ACTIVATED":
        raise invalid_value("active")
    call.site.add_user(user)
    _claim(call, email)
    return user


def change_user(call: Call, node: Node) -> None:
    """SetUser's rules (001, 40.4.0–40.12.0): the caller themself, or anyone for an administrator.
    Everything is validated before anything changes."""
    user = target_user(call, node)
    may_manage(call, user)
    email = _email(call, node)
    language_id = _language(call, node)
    enable_pmr = _bool_at(node, "privilege/isEnablePMR")
    if enable_pmr and not user.pmr_enabled:
        _check_pmr(call, True)
    password = node.get("password")
    profile = {} if call.fault(USER_PROFILE) else profile_values(node)
    read_only_admin = profile.get("privilege/roSiteAdmin")
    changes_read_only_admin = read_only_admin not in (None, user.fields.get("privilege/roSiteAdmin", "false"))
    if changes_read_only_admin and not is_user_admin(call, call.user()):
        raise access_denied()
    # Every change is made on a copy and kept only once the last check passed: a value refused
    # halfway (a malformed flag, an unknown time zone or state) leaves the user as it was.
    draft = copy.deepcopy(user)
    _apply_privileges(call, draft, node, creating=False)
    _apply_options(call, draft, node, creating=False)
    draft.fields.update(profile)
    _apply_email(call, draft, email)
    if language_id is not None:
        draft.language_id = language_id
    if password:
        draft.password = password
    _set_active(call, draft, node.get("active"))
    for kept in dataclasses.fields(User):
        setattr(user, kept.name, getattr(draft, kept.name))
    _claim(call, email)


def deactivate_user(call: Call, node: Node) -> None:
    """DelUser's rules: an administrator deactivates ``webExId`` (Webex keeps the account;
    behaviour ``pmr-key-stable`` counts from here); unknown: 030001."""
    caller = call.user()
    if not is_user_admin(call, caller):
        raise access_denied()
    webex_id = (node.get("webExId") or "").strip()
    user = call.site.user(webex_id)
    if not webex_id or user is None:
        raise webex_error("030001")
    if user.active:
        user.active = False
        user.deactivated_at = call.now()
