"""What the users state machine expects of a user it made: the model that rides along with its rules.

A :class:`UserModel` holds what GetUser must answer for one user, as the flattened answer
(:func:`flat`: ``privilege/umSiteAdmin`` -> ``"true"``): the values the machine's own CreateUser and
SetUser requests named (``known``) and the whole answer of the last GetUser (``seen``) — every other
element of that answer must stay as it was, whatever the machine changed (``nothing unnamed
changes``). Also here: the profile elements the machine draws (the XML API reference's GetUser page
and the user schema's element definitions) and how a path of them becomes a request body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from webex_harness.webex.envelope import XmlResponse

__all__ = [
    "BOOL_FIELDS",
    "DAY",
    "LANGUAGE_NAMES",
    "SERVICES",
    "TEXT_FIELDS",
    "UserModel",
    "flat",
    "nest",
]

DAY = 86400
#: a PMR key survives a deactivation (or a disabled PMR) of up to a week (001, 40.6.0)
KEY_KEPT_FOR = 7 * DAY

#: profile elements of plain text CreateUser and SetUser take and GetUser answers as sent
TEXT_FIELDS = (
    "title",
    "company",
    "description",
    "address/city",
    "address/country",
    "phones/mobilePhone",
    "tracking/trackingCode3",
    "personalMeetingRoom/welcomeMessage",
)
#: boolean profile elements (GetUser answers ``true``/``false``)
BOOL_FIELDS = (
    "options/emailVisible",
    "options/titleVisible",
    "commOptions/press",
    "privilege/recordingEditor",
    "privilege/HDvideo",
    "sessionOptions/autoDeleteAfterMeetingEnd",
    "personalMeetingRoom/applyPMRForInstantMeeting",
    "personalMeetingRoom/deviceCanStartMyPMR",
)
#: the roles a machine grants and takes away (``privilege/*``); never siteAdmin
ROLES = ("host", "umSiteAdmin", "labAdmin", "voiceOverIp")
SERVICES = ("meetingCenter", "trainingCenter", "eventCenter", "supportCenter")
#: ``language`` names and their ``languageID`` (the four welcome-e-mail languages of 001, 40.7.0
#: and a few of the reference's table), as a request may spell them
LANGUAGE_NAMES = {"English": 1, "German": 9, "Czech": 19, "Polish": 20, "Hungarian": 21, "Romanian": 22}
#: answer elements that move by themselves (sign-ins count visits; the PMR key has its own rule)
VOLATILE = frozenset({"visitCount", "personalMeetingRoom/accessCode"})


def flat(answer: XmlResponse) -> dict[str, str]:
    """An answer's body as ``local/path`` -> text for every leaf (repeated ones numbered ``[2]``…)."""
    out: dict[str, str] = {}
    if answer.body is None:
        return out

    def walk(node: etree._Element, prefix: str) -> None:
        seen: dict[str, int] = {}
        for child in node.iterchildren(etree.Element):
            name = etree.QName(child.tag).localname
            seen[name] = seen.get(name, 0) + 1
            path = f"{prefix}{name}" + (f"[{seen[name]}]" if seen[name] > 1 else "")
            if len(child):
                walk(child, path + "/")
            else:
                out[path] = (child.text or "").strip()

    walk(answer.body, "")
    return out


def nest(values: dict[str, Any]) -> dict[str, Any]:
    """``{"address/city": "Lyon"}`` -> ``{"address": {"city": "Lyon"}}`` (a request body)."""
    body: dict[str, Any] = {}
    for path, value in values.items():
        *groups, leaf = path.split("/")
        node = body
        for group in groups:
            node = node.setdefault(group, {})
        node[leaf] = value
    return body


def text(value: Any) -> str:
    """How GetUser answers a value a request sent."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class UserModel:
    """One user the machine made, as GetUser must answer it."""

    webex_id: str
    password: str
    email: str
    #: answer paths -> the value the machine's last accepted request wrote (or the documented default)
    known: dict[str, str] = field(default_factory=dict)
    #: the last GetUser's whole answer (flattened), minus what changed since in ways not modelled
    seen: dict[str, str] | None = None
    active: bool = True
    #: the PMR key the user had at the last read (None before the first one)
    pmr_key: str | None = None
    #: seconds of the machine's clock when the user was deactivated / the PMR disabled
    deactivated_at: int | None = None
    pmr_disabled_at: int | None = None

    def write(self, values: dict[str, Any]) -> None:
        """An accepted request wrote ``values`` (answer paths)."""
        for path, value in values.items():
            self.known[path] = text(value)

    def forget(self, *paths: str) -> None:
        """Elements whose value after a change the model does not know."""
        for path in paths:
            self.known.pop(path, None)
            if self.seen is not None:
                self.seen.pop(path, None)

    def problems(self, got: dict[str, str]) -> list[str]:
        """How a GetUser answer differs from what the model expects ([] when it does not)."""
        out = []
        for path, want in self.known.items():
            if want == "<absent>":
                if path in got:
                    out.append(f"{path}: answered {got[path]!r}, expected no such element")
            elif got.get(path) != want:
                out.append(f"{path}: answered {got.get(path)!r}, the last accepted request wrote {want!r}")
        for path, was in (self.seen or {}).items():
            if path in self.known or path in VOLATILE:
                continue
            if got.get(path) != was:
                out.append(f"{path}: was {was!r}, now {got.get(path)!r} though no request named it")
        return out

    def reactivated(self, now: int, since: int | None) -> None:
        """Reactivated (or the PMR enabled again) at ``now`` after being off since ``since``: the key
        stays within a week; after more than a week a new one may be issued (001, 40.6.0)."""
        if since is None or now - since > KEY_KEPT_FOR:
            self.pmr_key = None
