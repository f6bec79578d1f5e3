"""What the state machines over attendees and sessions share: a base machine that can also call as an
anonymous user (a securityContext of ``siteName`` only), keeps track of how far it moved the
emulator's clock (so the start dates it sends stay in the site's future), and the drawn e-mail
addresses of attendees (mixed case, white space) with the stored form the documents promise.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from webex_harness.client.xml_client import XmlClient
from webex_harness.contracts.stateful.machine import ContractMachine
from webex_harness.plugin.targets import SiteHandle
from webex_harness.plugin.xml_meetings import webex_date
from webex_harness.webex.envelope import Security

__all__ = ["ANONYMOUS", "PeopleMachine", "drawn_email", "has_white_space"]

#: the role name of an anonymous caller (``siteName`` only)
ANONYMOUS = "anonymous"
#: the local parts the machines draw attendees' e-mails from (few, so that duplicates happen)
LOCAL_PARTS = ("ann.lee", "bo.chan", "cy.diaz", "dee.ford")
#: how an e-mail's letters are sent: as stored, capitalised, upper case
CASES = ("lower", "title", "upper")
#: where white space goes into a sent e-mail: nowhere, before, after, inside
SPACES = ("none", "leading", "trailing", "inside")


def drawn_email(person: int, case: str = "lower", space: str = "none", domain: str = "example.com") -> str:
    """The e-mail of drawn person ``person`` as a request sends it."""
    local = LOCAL_PARTS[person % len(LOCAL_PARTS)]
    email = f"{local}@{domain}"
    if case == "title":
        email = ".".join(part.capitalize() for part in local.split(".")) + "@" + domain.capitalize()
    elif case == "upper":
        email = email.upper()
    if space == "leading":
        email = " " + email
    elif space == "trailing":
        email = email + " "
    elif space == "inside":
        email = email.replace("@", " @", 1)
    return email


def has_white_space(email: str) -> bool:
    """An e-mail the documents say is refused (030049): white space inside or around it."""
    return any(ch.isspace() for ch in email)


class PeopleMachine(ContractMachine):
    """A machine that also calls as :data:`ANONYMOUS` and moves the emulator's clock."""

    def __init__(self, site: SiteHandle) -> None:
        super().__init__(site)
        #: seconds this machine moved the site clock forward
        self.advanced = 0

    def client(self, role: str = "host") -> XmlClient:
        if role != ANONYMOUS:
            return super().client(role)
        if role not in self._clients:
            options = self.site.target.client_options()
            options["on_exchange"] = self._tee(options.get("on_exchange"))
            self._clients[role] = XmlClient(self.site.xml_url, Security(site_name=self.site.name), **options)
        return self._clients[role]

    def advance(self, seconds: int) -> None:
        """Move the emulator's clock (callers guard with ``site.is_emulator``)."""
        self.site.advance_clock(seconds)
        self.advanced += seconds

    def site_now(self) -> datetime:
        """The site's clock, UTC, naive: the emulator's own, or this machine's clock."""
        if self.site.is_emulator:
            return datetime.fromisoformat(self.site.state()["now"]).astimezone(UTC).replace(tzinfo=None)
        return datetime.now(UTC).replace(tzinfo=None)

    def start_date(self, days: float = 7) -> str:
        """A start date ``days`` ahead of the site's clock as this machine moved it (GMT)."""
        return webex_date(datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=self.advanced, days=days))
