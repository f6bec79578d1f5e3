"""A state machine over a host's own account: login tickets, the login and logout URLs, AuthenticateUser,
the user card, One-Click settings and the Personal Meeting Room's images, in random sequences.

Invariants, checked by the rules that read: GetLoginTicket hands out the host's unused ticket again
and a new one once it is used up (login-ticket-reuse); each login URL carries a fresh one-time ticket,
which becomes the host's ticket (login-url-ticket); a ticket logs in once through the URL API; the
login and logout URLs of an unknown webExID fail with 030001 (logout-url); AuthenticateUser signs in
with the password or with the access token in the body, and its session ticket works
(authenticate-user-access-token); GetUserCard needs credentials or a JWT-shaped JWTToken and shows
the same PMR key every time (user-card-auth); GetOneClickSettings answers what SetupOneClickSettings
stored, what it left out back at its default (one-click-settings), and SetOneClickSettings changes
the meeting type and nothing else (one-click-set-service-type); UploadPMRImage refuses data that is
no image and keeps an image per kind (pmr-image).

On a real site the machine changes only the host's own One-Click settings (read first, set back in
the clean-up) and never uploads an image (one cannot be read back or removed through the XML API);
the URL API login is emulator-only.
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from webex_harness.contracts.stateful.machine import Call, ContractMachine, recorded
from webex_harness.contracts.stateful.user_model import flat
from webex_harness.contracts.support import HOST_OWN_STATE
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle
from webex_harness.webex.envelope import Security, XmlResponse

#: a 1x1 GIF, and the leading bytes of a PNG and a JPEG (what UploadPMRImage recognises)
_IMAGES = {
    "gif": ("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "GIF"),
    "png": (base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(24)).decode(), "PNG"),
    "jpeg": (base64.b64encode(b"\xff\xd8\xff\xe0" + bytes(24)).decode(), "JPG"),
}
_NOT_IMAGES = {
    "text": base64.b64encode(b"this is not a picture").decode(),
    "html": base64.b64encode(b"<p>x</p>").decode(),
}
#: One-Click elements a SetupOneClickSettings may leave out, and their documented defaults
_ONE_CLICK_DEFAULTS = {
    "telephony/tollfree": "false",
    "enableOptions/voip": "false",
    "attendeeOptions/joinApproval": "false",
}
_EMULATOR_TYPES = (1, 3)
_SETUP: dict[str, st.SearchStrategy[Any]] = {
    "n": st.integers(0, 99),
    "session_type": st.integers(0, 1),
    "listing": st.sampled_from(["PUBLIC", "PRIVATE", "UNLISTED", ""]),
    "telephony": st.sampled_from(["NONE", "CALLIN", "CALLBACK", ""]),
    "options": st.fixed_dictionaries({}, optional={p: st.booleans() for p in _ONE_CLICK_DEFAULTS}),
}


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def _jwt() -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': 'wxh'})}.{secrets.token_hex(16)}"


class SignInMachine(ContractMachine):
    """The host signs in, reads their card, changes their One-Click settings and PMR images."""

    examples = 15
    steps_per_example = 10

    def __init__(self, site: SiteHandle) -> None:
        super().__init__(site)
        self.host = site.security("host").webex_id or ""
        #: the host's login ticket as last handed out, and whether the URL API used it up
        self.ticket: str | None = None
        self.ticket_used = False
        self.pmr_key: str | None = None
        #: the host's One-Click settings before the machine changed them (set back on a real site)
        self.one_click_before: XmlResponse | None = None
        #: GetOneClickSettings' flattened answer as the model expects it (None: not known)
        self.one_click: dict[str, str] | None = None
        self.types: tuple[int, ...] = _EMULATOR_TYPES
        #: the PMR images uploaded (kind -> format), emulator only
        self.images: dict[str, str] = {}

    # ------------------------------------------------------------ tickets and URLs

    @rule()
    @recorded
    def get_login_ticket(self) -> None:
        answer = self.xml("user", "GetLoginTicket", {}).expect_success()
        ticket = answer.text("use:ticket") or ""
        answered = bool(ticket and answer.text("use:apiVersion"))  # a ticket is a secret: never in a message
        assert answered, "GetLoginTicket answers use:ticket and use:apiVersion"
        if self.ticket is not None and not self.ticket_used:
            same = ticket == self.ticket
            assert same, "GetLoginTicket must hand out the host's unused ticket again"
        elif self.ticket is not None:
            fresh = ticket != self.ticket
            assert fresh, "the used-up ticket was handed out again"
        self.ticket, self.ticket_used = ticket, False

    @rule(also_unknown=st.booleans(), back=st.booleans())
    @recorded
    def login_url(self, also_unknown: bool, back: bool) -> None:
        """GetloginurlUser: the host's login URL carries a fresh ticket, which becomes the host's (two
        asked in a row carry two tickets); an unknown webExID's is 030001."""
        if also_unknown:
            unknown = {"webExID": f"nobody-{secrets.token_hex(5)}"}
            answer = self.xml("user", "GetloginurlUser", unknown, role="admin")
            assert answer.exception_id == "030001", f"the login URL of an unknown webExID: {answer.describe()}"
        body: dict[str, Any] = {"webExID": self.host}
        if back:
            body["backURL"] = "https://example.com/back?from=harness"
        url = self.xml("user", "GetloginurlUser", body).expect_success().text("use:userLoginURL") or ""
        query = _query(url)
        shown = self.site.target.secrets.mask(url)  # its TK is a secret
        assert urlsplit(url).path.lower().endswith("/p.php") and query.get("AT") == "LI", shown
        assert query.get("WID", "").lower() == self.host.lower(), "the login URL names the user (WID)"
        assert query.get("BU", "") == body.get("backURL", ""), "the backURL comes back in BU"
        ticket = query.get("TK", "")
        carried, fresh = bool(ticket), ticket != self.ticket
        assert carried, "the login URL carries a login ticket (TK)"
        assert fresh, "each login URL carries a fresh one-time ticket, not the previous one"
        again = _query(self.xml("user", "GetloginurlUser", body).expect_success().text("use:userLoginURL") or "")
        assert again.get("TK", "") not in ("", ticket), "a second login URL carries a fresh ticket, not the first one's"
        self.ticket, self.ticket_used = again["TK"], False

    @precondition(lambda self: self.site.is_emulator and self.ticket is not None)
    @rule()
    @recorded
    def use_ticket(self) -> None:
        """The URL API's login with the host's ticket: once (emulator only)."""
        assert self.ticket is not None
        parts = urlsplit(self.site.xml_url)
        url = f"{parts.scheme}://{parts.netloc}/{self.site.name}/p.php?AT=LI&WID={self.host}&TK={self.ticket}"
        reply = self.site.target.http.get(url)
        mask = self.site.target.secrets.mask
        self.steps[-1].calls.append(Call("URL API AT=LI", mask(f"GET {url}"), mask(reply.text), reply.status_code))
        want = "FAIL" if self.ticket_used else "SUCCESS"
        assert _query("?" + reply.text).get("ST") == want, (
            f"a login with the {'used' if self.ticket_used else 'unused'} ticket: {reply.text}"
        )
        self.ticket_used = True

    @rule(who=st.sampled_from(["self", "unknown"]))
    @recorded
    def logout_url(self, who: str) -> None:
        back = "https://example.com/bye"
        if who == "unknown":
            body = {"webExID": f"nobody-{secrets.token_hex(5)}", "backURL": back}
            answer = self.xml("user", "GetlogouturlUser", body, role="admin")
            assert answer.exception_id == "030001", f"the logout URL of an unknown webExID: {answer.describe()}"
            return
        answer = self.xml("user", "GetlogouturlUser", {"webExID": self.host, "backURL": back}).expect_success()
        url = answer.text("use:userLogoutURL") or ""
        assert urlsplit(url).path.lower().endswith("/p.php") and _query(url) == {"AT": "LO", "BU": back}, url

    @rule(form=st.sampled_from(["password", "token"]))
    @recorded
    def authenticate(self, form: str) -> None:
        """AuthenticateUser (the password, or the access token in the body), then GetMe with its ticket."""
        client = self.client("host")
        if form == "token":
            if not self.site.rest_token:
                return  # no access token declared: the password form only
            client = client.with_security(Security(self.site.name, self.host))
            answer = client.call("user", "AuthenticateUser", {"accessToken": self.site.rest_token})
        else:
            answer = client.call("user", "AuthenticateUser", {})
        ticket = answer.expect_success().text("use:sessionTicket") or ""
        answered = bool(ticket and answer.text("use:timeToLive"))
        assert answered, "AuthenticateUser answers a session ticket and its lifetime"
        me = client.with_security(Security(self.site.name, self.host, session_ticket=ticket))
        got = me.call("user", "GetMe", {}).expect_success().text("use:webExId") or ""
        assert got.lower() == self.host.lower(), f"GetMe with the session ticket answered {got!r}"

    # ------------------------------------------------------------ the user card

    @rule(auth=st.sampled_from(["credentials", "jwt", "anonymous", "malformed"]))
    @recorded
    def user_card(self, auth: str) -> None:
        body = {"webExId": self.host}
        if auth == "credentials":
            answer = self.xml("user", "GetUserCard", body)
        else:
            anonymous = self.client("host").with_security(Security(site_name=self.site.name))
            headers = {"JWTToken": _jwt() if auth == "jwt" else "not-a-token"} if auth != "anonymous" else None
            answer = anonymous.call("user", "GetUserCard", body, headers=headers)
        if auth == "anonymous":
            assert answer.exception_id == "000001", f"GetUserCard without credentials: {answer.describe()}"
            return
        if auth == "malformed":
            assert answer.result == "FAILURE", (
                f"GetUserCard with a JWT header that is no JWT must fail, it answered {answer.describe()}"
            )
            assert not answer.has("use:personalMeetingRoom")
            return
        answer.expect_success()
        url = answer.text("use:personalMeetingRoom/use:personalMeetingRoomURL") or ""
        assert url.lower().endswith(f"/meet/{self.host.lower()}"), url
        key = answer.text("use:personalMeetingRoom/use:accessCode") or ""
        assert key.isdigit(), "the card shows the PMR key (accessCode)"
        assert self.pmr_key in (None, key), f"the PMR key changed from {self.pmr_key} to {key}"
        self.pmr_key = key

    # ------------------------------------------------------------ One-Click

    def _one_click_read(self) -> dict[str, str]:
        return flat(self.xml("ep", "GetOneClickSettings", {}).expect_success())

    def _one_click_check(self, what: str) -> None:
        got = self._one_click_read()
        assert self.one_click is not None
        problems = [
            f"{path}: answered {got.get(path)!r}, expected {want!r}"
            for path, want in self.one_click.items()
            if got.get(path) != want
        ]
        assert not problems, f"GetOneClickSettings after {what}:\n  " + "\n  ".join(problems)
        self.one_click = got

    @initialize(drawn=st.fixed_dictionaries(_SETUP))
    @recorded
    def first_one_click_setup(self, drawn: dict[str, Any]) -> None:
        """Every example starts with the host's One-Click settings set up."""
        self.setup_one_click(**drawn)

    @rule(drawn=st.fixed_dictionaries(_SETUP))
    @recorded
    def one_click_setup(self, drawn: dict[str, Any]) -> None:
        self.setup_one_click(**drawn)

    def setup_one_click(
        self, n: int, session_type: int, listing: str, telephony: str, options: dict[str, bool]
    ) -> None:
        """SetupOneClickSettings of drawn settings; what it leaves out goes back to its default."""
        if self.one_click_before is None:
            self.one_click_before = self.xml("ep", "GetOneClickSettings", {}).expect_success()
            if not self.site.is_emulator:
                self.types = (int(self.one_click_before.text("ep:metaData/ep:sessionType") or 3),)
        chosen = self.types[session_type % len(self.types)]
        meta: dict[str, Any] = {
            "serviceType": "MeetingCenter",
            "sessionType": chosen,
            "confName": own_name(f"one-click {n}"),
        }
        if listing:
            meta["listing"] = listing
        body: dict[str, Any] = {"metaData": meta}
        phone: dict[str, Any] = {}
        if telephony:
            phone["telephonySupport"] = telephony
        if "telephony/tollfree" in options:
            phone["tollfree"] = options["telephony/tollfree"]
        if phone:
            body["telephony"] = phone
        if "enableOptions/voip" in options:
            body["enableOptions"] = {"voip": options["enableOptions/voip"]}
        if "attendeeOptions/joinApproval" in options:
            body["attendeeOptions"] = {"joinApproval": options["attendeeOptions/joinApproval"]}
        self.xml("ep", "SetupOneClickSettings", body).expect_success()
        expected = {
            "metaData/serviceType": "MeetingCenter",
            "metaData/sessionType": str(chosen),
            "metaData/confName": meta["confName"],
            **_ONE_CLICK_DEFAULTS,
            **{path: "true" if value else "false" for path, value in options.items()},
        }
        if listing:
            expected["metaData/listing"] = listing
        if telephony:
            expected["telephony/telephonySupport"] = telephony
        self.one_click = expected
        self._one_click_check("SetupOneClickSettings")

    @rule(session_type=st.integers(0, 1))
    @recorded
    def one_click_set(self, session_type: int) -> None:
        """SetOneClickSettings changes the service and meeting type, every other setting stays."""
        chosen = self.types[session_type % len(self.types)]
        change = {"oneClickMetaData": {"serviceType": "MeetingCenter", "sessionType": chosen}}
        self.xml("ep", "SetOneClickSettings", change).expect_success()
        assert self.one_click is not None
        self.one_click = {
            **self.one_click,
            "metaData/serviceType": "MeetingCenter",
            "metaData/sessionType": str(chosen),
        }
        self._one_click_check("SetOneClickSettings")

    @rule()
    @recorded
    def one_click_get(self) -> None:
        self._one_click_check("the previous read")

    # ------------------------------------------------------------ PMR images

    @rule(data=st.sampled_from(sorted(_IMAGES) + sorted(_NOT_IMAGES)), image_for=st.sampled_from(["Photo", "Header"]))
    @recorded
    def upload_pmr_image(self, data: str, image_for: str) -> None:
        """UploadPMRImage: an image is kept for its kind (emulator only); anything else is refused
        with 010001 and changes nothing."""
        if data in _NOT_IMAGES:
            answer = self.xml("user", "UploadPMRImage", {"imageFor": image_for, "imageData": _NOT_IMAGES[data]})
            assert answer.exception_id == "010001", f"UploadPMRImage of data that is no image: {answer.describe()}"
        elif not self.site.is_emulator:
            return  # an image cannot be read back or removed through the XML API
        else:
            encoded, image_format = _IMAGES[data]
            self.xml("user", "UploadPMRImage", {"imageFor": image_for, "imageData": encoded}).expect_success()
            self.images[image_for] = image_format
        if self.site.is_emulator:
            users = self.site.state()["users"]
            kept = next(u for u in users if u["webExID"].lower() == self.host.lower())["pmrImages"]
            shown = {kind: image["format"] for kind, image in kept.items()}
            assert shown == self.images, f"the room's images are {shown}, the uploads accepted were {self.images}"

    # ------------------------------------------------------------ the end

    def clean_up(self) -> None:
        if self.one_click_before is None or self.site.is_emulator:
            return
        before = flat(self.one_click_before)
        meta = {k.split("/", 1)[1]: v for k, v in before.items() if k.startswith("metaData/") and "/" not in k[9:]}
        phone = {k.split("/", 1)[1]: v for k, v in before.items() if k.startswith("telephony/")}
        body: dict[str, Any] = {"metaData": meta, "telephony": phone}
        body["enableOptions"] = {"voip": before.get("enableOptions/voip", "false")}
        body["attendeeOptions"] = {"joinApproval": before.get("attendeeOptions/joinApproval", "false")}
        self.xml("ep", "SetupOneClickSettings", body)


@pytest.mark.xdist_group(HOST_OWN_STATE)  # the host's login ticket and One-Click settings
def test_signing_in_and_own_settings_read_back(run_stateful) -> None:  # type: ignore[no-untyped-def]
    run_stateful(SignInMachine)
