"""A state machine over the users of a site: CreateUser, SetUser, GetUser, GetMe, LstsummaryUser and
DelUser in random sequences, with a model of every user the machine made (001, 40.4.0–40.12.0).

Invariants, checked by the read rules: GetUser answers what the last accepted CreateUser/SetUser
wrote and nothing the requests did not name has changed (the previous answer minus what changed);
e-mails are stored lowercase; an administrator's e-mail change applies, a user's own one waits for
verification where the site requires it; the PMR key survives a deactivation (or a disabled PMR) of
up to a week; a Control-Hub-linked site keeps supportedServices; enabling a PMR with only E2EE meeting
types fails with 110063 and changes nothing; without EnableDisplayName no displayName is stored or
answered; GetMe and LstsummaryUser show the same user (umSiteAdmin too); the list holds each of the
machine's users exactly once, deactivated ones as DEACTIVATED, with consistent pages.

On the emulator the machine switches the site's toggles that make these behaviours visible
(:data:`EMULATOR_TOGGLES`); on a real site it expects what the environment declares, and it runs only
with ``allow.destructive`` (it creates users, named with the run's prefix, and deactivates them at the
end — it never changes a declared user).
"""

from __future__ import annotations

import itertools
import secrets
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, initialize, multiple, precondition, rule

from webex_harness.client.xml_client import XmlClient
from webex_harness.contracts.stateful.machine import ContractMachine, Ref, recorded
from webex_harness.contracts.stateful.user_model import (
    BOOL_FIELDS,
    DAY,
    LANGUAGE_NAMES,
    ROLES,
    SERVICES,
    TEXT_FIELDS,
    UserModel,
    flat,
    nest,
)
from webex_harness.contracts.support import walk_pages
from webex_harness.generators.envelopes import faker_for, valid_body
from webex_harness.plugin.targets import SiteHandle
from webex_harness.webex.envelope import Security, XmlResponse

#: the site toggles the machine sets on an emulator site: each makes a documented rule visible
EMULATOR_TOGGLES = {
    "enable_display_name": False,
    "ci_linked_site": True,
    "email_confirmation_required": True,
    "e2ee_only_meeting_types": True,
}
_NAMES = itertools.count(1)
_ABSENT = "<absent>"

_languages = st.one_of(st.integers(1, 22), st.sampled_from(sorted(LANGUAGE_NAMES)))
_profile = st.dictionaries(st.sampled_from(TEXT_FIELDS + BOOL_FIELDS), st.integers(0, 99), max_size=4)
_services_off = st.lists(st.sampled_from(SERVICES), unique=True, max_size=2)
_case = st.sampled_from(["lower", "upper", "title"])
_CREATE: dict[str, st.SearchStrategy[Any]] = {
    "seed": st.integers(0, 9999),
    "case": _case,
    "language": _languages,
    "roles": st.fixed_dictionaries({r: st.booleans() for r in ROLES}),
    "pmr": st.booleans(),
    "services_off": _services_off,
    "profile": _profile,
}
_change = st.fixed_dictionaries(
    {},
    optional={
        "names": st.integers(0, 99),
        "displayName": st.integers(0, 99),
        "email": st.tuples(st.integers(0, 99), _case),
        "roles": st.dictionaries(st.sampled_from(ROLES), st.booleans(), min_size=1, max_size=2),
        "isEnablePMR": st.booleans(),
        "cmrHybridVoip": st.booleans(),
        "servicesOff": _services_off,
        "language": _languages,
        "profile": _profile,
        "active": st.sampled_from(["ACTIVATED", "DEACTIVATED"]),
    },
)


def _cased(address: str, case: str) -> str:
    local, _, domain = address.partition("@")
    if case == "upper":
        return f"{local.upper()}@{domain.upper()}"
    if case == "title":
        return f"{local.title()}@{domain.title()}"
    return address


def _profile_values(drawn: dict[str, int]) -> dict[str, Any]:
    """Drawn profile numbers as element values: a boolean's parity, a text naming its element."""
    return {
        path: (n % 2 == 1) if path in BOOL_FIELDS else f"{path.rsplit('/', 1)[-1]} {n}" for path, n in drawn.items()
    }


def _language(drawn: int | str) -> tuple[dict[str, Any], int]:
    if isinstance(drawn, int):
        return {"languageID": drawn}, drawn
    return {"language": drawn}, LANGUAGE_NAMES[drawn]


class UserMachine(ContractMachine):
    """Users the machine creates, changes, reads, lists and deactivates, on one site."""

    examples = 12
    steps_per_example = 10
    users = Bundle("users")

    def __init__(self, site: SiteHandle) -> None:
        super().__init__(site)
        if not site.is_emulator and not site.target.environment.allow.destructive:
            pytest.skip("refused: the users machine creates and changes users; set allow.destructive: true")
        if site.is_emulator:
            site.control.set_settings(site.name, **EMULATOR_TOGGLES)
            self.toggles = dict(EMULATOR_TOGGLES)
        else:
            self.toggles = {name: bool(getattr(site.settings, name)) for name in EMULATOR_TOGGLES}
        self.model: dict[str, UserModel] = {}
        self.user_ids: dict[str, str] = {}
        #: seconds the machine moved the site's clock (emulator only)
        self.now = 0

    # ------------------------------------------------------------ helpers

    def admin(self, api: str, body: dict[str, Any]) -> XmlResponse:
        return self.xml("user", api, body, role="admin")

    def own_client(self, user: UserModel) -> XmlClient:
        """A client signed in as one of the machine's users."""
        return self.client("admin").with_security(Security(self.site.name, user.webex_id, user.password))

    def _display_default(self, model: UserModel) -> None:
        if self.toggles["enable_display_name"]:
            model.forget("displayName")  # derived from the names until one is set
        else:
            model.known["displayName"] = _ABSENT

    # ------------------------------------------------------------ rules

    @initialize(target=users, drawn=st.fixed_dictionaries(_CREATE))
    @recorded
    def first_user(self, drawn: dict[str, Any]) -> Any:
        """Every example starts with one user."""
        return self.make_user(**drawn)

    @rule(target=users, drawn=st.fixed_dictionaries(_CREATE))
    @recorded
    def create_user(self, drawn: dict[str, Any]) -> Any:
        return self.make_user(**drawn)

    def make_user(
        self,
        seed: int,
        case: str,
        language: int | str,
        roles: dict[str, bool],
        pmr: bool,
        services_off: list[str],
        profile: dict[str, int],
    ) -> Any:
        webex_id = self.site.target.run_name(f"u{next(_NAMES)}")
        password = "Wxh" + secrets.token_hex(6) + "7Q"
        self.site.target.secrets.add(password)
        body = valid_body("CreateUser", faker_for(seed))
        body.pop("languageID", None)
        spoken, language_id = _language(language)
        body.update(webExId=webex_id, password=password, email=_cased(f"{webex_id}@example.com", case), **spoken)
        body["privilege"] = {**roles, "siteAdmin": False, "isEnablePMR": pmr}
        body["supportedServices"] = {s: s not in services_off for s in SERVICES}
        body["sendWelcome"] = False
        values = _profile_values(profile)
        for group, value in nest(values).items():
            body[group] = {**body.get(group, {}), **value} if isinstance(value, dict) else value
        answer = self.admin("CreateUser", body)
        if pmr and self.toggles["e2ee_only_meeting_types"]:
            assert answer.exception_id == "110063", (
                f"enabling the PMR with only E2EE meeting types: {answer.describe()}"
            )
            gone = self.admin("GetUser", {"webExId": webex_id})
            assert gone.exception_id == "030001", f"the refused CreateUser made a user: {gone.describe()}"
            return multiple()
        answer.expect_success()
        user_id = answer.text("use:userId") or ""
        assert user_id, "CreateUser answers use:userId"
        model = UserModel(webex_id, password, f"{webex_id}@example.com".lower())
        model.write(
            {
                "webExId": webex_id,
                "firstName": body.get("firstName", ""),
                "lastName": body.get("lastName", ""),
                "email": model.email,
                "languageID": language_id,
                "active": "ACTIVATED",
                "userId": user_id,
                **{f"privilege/{r}": v for r, v in roles.items()},
                "privilege/siteAdmin": False,
                "privilege/isEnablePMR": pmr,
                **{f"supportedServices/{s}": s not in services_off for s in SERVICES},
                **values,
            }
        )
        for name in ("cmrHybridVoip",):
            if name in body:
                model.write({name: body[name]})
        if "deviceCanStartMyPMR" in body.get("personalMeetingRoom", {}):
            value = body["personalMeetingRoom"]["deviceCanStartMyPMR"]
            model.write({"personalMeetingRoom/deviceCanStartMyPMR": value})
        if self.toggles["enable_display_name"] and body.get("displayName"):
            model.write({"displayName": body["displayName"]})
        else:
            self._display_default(model)
        ref = self.new_ref("user", webex_id)
        self.model[ref.label] = model
        self.user_ids[ref.label] = user_id
        self.read_back(ref)
        return ref

    @rule(user=users, change=_change)
    @recorded
    def set_user(self, user: Ref, change: dict[str, Any]) -> None:
        """An administrator's SetUser of drawn elements; the model takes what it wrote."""
        model = self.model[user.label]
        body: dict[str, Any] = {"webExId": model.webex_id}
        wrote: dict[str, Any] = {}
        if "names" in change:
            wrote["firstName"] = body["firstName"] = f"First{change['names']}"
            wrote["lastName"] = body["lastName"] = f"Last{change['names']}"
        if "displayName" in change:
            body["displayName"] = f"Shown {change['displayName']}"
        if "email" in change:
            n, case = change["email"]
            body["email"] = _cased(f"set{n}.{model.webex_id}@example.org", case)
            wrote["email"] = body["email"].lower()
        privilege = {r: v for r, v in change.get("roles", {}).items()}
        if "isEnablePMR" in change:
            privilege["isEnablePMR"] = change["isEnablePMR"]
        if privilege:
            body["privilege"] = privilege
            wrote.update({f"privilege/{r}": v for r, v in privilege.items()})
        if "cmrHybridVoip" in change:
            wrote["cmrHybridVoip"] = body["cmrHybridVoip"] = change["cmrHybridVoip"]
        if "servicesOff" in change:
            body["supportedServices"] = {s: s not in change["servicesOff"] for s in SERVICES}
            if not self.toggles["ci_linked_site"]:  # a CI-linked site keeps them (001, 40.12.0)
                wrote.update({f"supportedServices/{s}": v for s, v in body["supportedServices"].items()})
        if "language" in change:
            spoken, language_id = _language(change["language"])
            body.update(spoken)
            wrote["languageID"] = language_id
        values = _profile_values(change.get("profile", {}))
        for group, value in nest(values).items():
            body[group] = {**body.get(group, {}), **value} if isinstance(value, dict) else value
        wrote.update(values)
        if "active" in change:
            wrote["active"] = body["active"] = change["active"]
        answer = self.admin("SetUser", body)
        enabling = privilege.get("isEnablePMR") is True and model.known.get("privilege/isEnablePMR") == "false"
        if enabling and self.toggles["e2ee_only_meeting_types"]:
            assert answer.exception_id == "110063", (
                f"enabling the PMR with only E2EE meeting types: {answer.describe()}"
            )
            return  # nothing changed: the next read checks that
        answer.expect_success()
        self._pmr_and_activity(model, change)
        model.write(wrote)
        if "names" in change or "displayName" in change:
            if self.toggles["enable_display_name"] and "displayName" in change:
                model.write({"displayName": body["displayName"]})
            elif "names" in change:
                self._display_default(model)
        if "language" in change:
            model.forget("language")
        self.read_back(user)

    def _pmr_and_activity(self, model: UserModel, change: dict[str, Any]) -> None:
        """The PMR key's rule (001, 40.6.0) for a change of ``active`` or ``isEnablePMR``."""
        if "isEnablePMR" in change:
            was = model.known.get("privilege/isEnablePMR") == "true"
            if was and not change["isEnablePMR"]:
                model.pmr_disabled_at = self.now
            elif not was and change["isEnablePMR"]:
                model.reactivated(self.now, model.pmr_disabled_at)
                model.pmr_disabled_at = None
        if "active" in change:
            self._activity(model, change["active"] == "ACTIVATED")

    def _activity(self, model: UserModel, active: bool) -> None:
        if model.active and not active:
            model.deactivated_at = self.now
        elif not model.active and active:
            model.reactivated(self.now, model.deactivated_at)
            model.deactivated_at = None
        model.active = active
        model.write({"active": "ACTIVATED" if active else "DEACTIVATED"})

    @rule(user=users, n=st.integers(0, 99), case=_case)
    @recorded
    def set_own_email(self, user: Ref, n: int, case: str) -> None:
        """The user changes their own e-mail (with confirmation required it waits, 001, 40.4.0), then
        reads their account with GetMe."""
        model = self.model[user.label]
        if not model.active:
            return
        new = _cased(f"own{n}.{model.webex_id}@example.org", case)
        body = {"webExId": model.webex_id, "email": new}
        self.own_client(model).call("user", "SetUser", body).expect_success()
        if not self.toggles["email_confirmation_required"]:
            model.write({"email": new.lower()})
        self.check_me(user)
        self.read_back(user)

    @precondition(lambda self: any(not m.active for m in self.model.values()))
    @rule(user=users)
    @recorded
    def reactivate(self, user: Ref) -> None:
        """SetUser active=ACTIVATED of a deactivated user: within a week the PMR key stays (40.6.0)."""
        model = self.model[user.label]
        if model.active:
            return
        self.admin("SetUser", {"webExId": model.webex_id, "active": "ACTIVATED"}).expect_success()
        self._activity(model, True)
        self.read_back(user)

    def read_back(self, user: Ref) -> None:
        """GetUser answers what the model holds; it becomes the model's last answer."""
        model = self.model[user.label]
        answer = self.admin("GetUser", {"webExId": model.webex_id}).expect_success()
        got = flat(answer)
        problems = model.problems(got)
        if answer.text("use:webExId") != model.webex_id:
            problems.append("the answer's elements are not the user service's (use:webExId)")
        email = got.get("email", "")
        if email != email.lower():
            problems.append(f"email: answered {email!r}, e-mails are stored lowercase")
        key = got.get("personalMeetingRoom/accessCode")
        if model.pmr_key is not None and key != model.pmr_key:
            problems.append(f"personalMeetingRoom/accessCode: the PMR key changed from {model.pmr_key} to {key}")
        assert not problems, f"GetUser of {user.label}:\n  " + "\n  ".join(problems)
        model.pmr_key = key
        model.seen = got

    def check_me(self, user: Ref) -> None:
        """GetMe as the user shows the same account GetUser does (umSiteAdmin among it, 40.6.0)."""
        model = self.model[user.label]
        if not model.active:
            return
        got = flat(self.own_client(model).call("user", "GetMe", {}).expect_success())
        paths = ("webExId", "firstName", "lastName", "email", "active", "userId", "privilege/umSiteAdmin")
        problems = [
            f"{p}: GetMe answered {got.get(p)!r}, expected {model.known[p]!r}"
            for p in paths
            if p in model.known and got.get(p) != model.known[p]
        ]
        assert not problems, f"GetMe of {user.label}:\n  " + "\n  ".join(problems)

    @precondition(lambda self: bool(self.model))
    @rule(size=st.integers(2, 5), order=st.sampled_from(["WEBEXID", "EMAIL", "UID", "REGDATE"]))
    @recorded
    def list_users(self, size: int, order: str) -> None:
        """LstsummaryUser: each of the machine's users exactly once, as the model has it."""
        pages: list[XmlResponse] = []
        shared = not self.site.is_emulator
        ordered = {"orderBy": "REGDATE", "orderAD": "DESC"} if shared else {"orderBy": order}

        def lister(start: int, maximum: int) -> XmlResponse:
            body = {"listControl": {"startFrom": start, "maximumNum": maximum}, "order": ordered}
            pages.append(self.admin("LstsummaryUser", body))
            return pages[-1]

        own = {m.webex_id: label for label, m in self.model.items()}
        if shared:  # the newest users of a shared site, where the machine's own are
            lister(1, max(20, 2 * len(own))).expect_success()
        else:
            walk = walk_pages(lister, "use", "use:user", "use:webExId", size)
            problem = walk.problem(own, unique=True)
            assert not problem, f"LstsummaryUser by {size}: {problem}"
        entries = {(e.findtext("{*}webExId") or ""): e for e in pages[-1].xpath("use:user")}
        problems = []
        for webex_id, label in own.items():
            entry = entries.get(webex_id)
            if entry is None:
                problems.append(f"{label} is not listed")
                continue
            model = self.model[label]
            for path in ("email", "active", "firstName", "lastName", "userId", "privilege/umSiteAdmin"):
                want = model.known.get(path)
                shown = entry.findtext("{*}" + path.rsplit("/", 1)[-1])
                if want is not None and shown != want:
                    problems.append(f"{label} {path}: listed {shown!r}, expected {want!r}")
        assert not problems, "LstsummaryUser:\n  " + "\n  ".join(problems)

    @rule(user=users)
    @recorded
    def del_user(self, user: Ref) -> None:
        """DelUser deactivates (Webex keeps the account); a deactivated one again: still fine."""
        model = self.model[user.label]
        self.admin("DelUser", {"webExId": model.webex_id}).expect_success()
        self._activity(model, False)

    @precondition(lambda self: self.site.is_emulator and any(not m.active for m in self.model.values()))
    @rule(days=st.integers(1, 8))
    @recorded
    def advance_clock(self, days: int) -> None:
        """The site's clock moves on while a user is deactivated (emulator only)."""
        self.site.advance_clock(days * DAY)
        self.now += days * DAY

    def clean_up(self) -> None:
        for model in self.model.values():
            if model.active:
                self.admin("DelUser", {"webExId": model.webex_id})


def test_users_read_back_what_the_last_set_wrote(run_stateful) -> None:  # type: ignore[no-untyped-def]
    run_stateful(UserMachine)
