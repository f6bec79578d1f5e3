"""GetUser's whole answer (the XML API reference page getuser): every element the page shows, in its
order, and the profile CreateUser and SetUser set read back — ``schedulingPermission`` among them,
which public clients read.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.generators.catalogue import api
from webex_harness.plugin.targets import SiteHandle


class Profile:
    """One user the test creates through the administrator, deactivated afterwards."""

    def __init__(self, site: SiteHandle) -> None:
        self.admin: XmlClient = site.client("admin")
        self.webex_id = site.target.run_name(secrets.token_hex(4))
        self.created = False

    def create(self, **extra: Any) -> None:
        body: dict[str, Any] = {
            "firstName": "Pat",
            "lastName": "Profile",
            "webExId": self.webex_id,
            "password": "Wxh" + secrets.token_hex(4) + "7Q",
            "email": f"{self.webex_id}@example.com",
            "privilege": {"host": True},
            "active": "ACTIVATED",
            "sendWelcome": False,
            **extra,
        }
        self.admin.call("user", "CreateUser", body).expect_success()
        self.created = True

    def get(self) -> Any:
        return self.admin.call("user", "GetUser", {"webExId": self.webex_id}).expect_success()


@pytest.fixture
def profile(site: SiteHandle) -> Iterator[Profile]:
    made = Profile(site)
    try:
        yield made
    finally:
        if made.created:
            made.admin.call("user", "DelUser", {"webExId": made.webex_id})


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@pytest.mark.behaviour("user-profile-round-trip")
def test_get_user_answers_every_documented_element_in_order(site: SiteHandle) -> None:
    answer = site.client("host").call("user", "GetUser", {"webExId": site.security("host").webex_id})
    answer.expect_success()
    documented = [path for path in api("GetUser").response_elements if "/" not in path]
    tops = [_local(el.tag) for el in answer.xpath("*")]
    shown = [t for t in tops if f"use:{t}" in documented]
    missing = [p for p in documented if p.split(":", 1)[1] not in tops]
    assert not missing, f"GetUser lacks {missing}"
    assert shown == [p.split(":", 1)[1] for p in documented], "GetUser answers its elements in the page's order"


@pytest.mark.behaviour("user-profile-round-trip")
def test_scheduling_permission_and_profile_set_by_set_user_are_read_back(profile: Profile, site: SiteHandle) -> None:
    profile.create()
    fresh = profile.get()
    assert fresh.text("use:schedulingPermission") == "", "nobody may schedule for a new user"
    assert fresh.text("use:address/com:addressType") == "PERSONAL"
    host = site.security("host").webex_id or ""
    changes = {
        "webExId": profile.webex_id,
        "schedulingPermission": host,
        "description": "set by the harness",
        "phones": {"mobilePhone": "1,408,5550100"},
        "options": {"emailVisible": True, "titleVisible": True},
        "commOptions": {"press": True},
        "tracking": {"trackingCode3": "cost-centre-7"},
        "privilege": {"recordingEditor": True, "HDvideo": True},
        "sessionOptions": {"autoDeleteAfterMeetingEnd": True},
    }
    profile.admin.call("user", "SetUser", changes).expect_success()
    after = profile.get()
    assert after.text("use:schedulingPermission") == host
    assert after.text("use:description") == "set by the harness"
    assert after.text("use:phones/use:mobilePhone") == "1,408,5550100"
    assert after.text("use:options/use:emailVisible") == "true"
    assert after.text("use:options/use:titleVisible") == "true"
    assert after.text("use:options/use:faxVisible") == fresh.text("use:options/use:faxVisible"), "unsent stays"
    assert after.text("use:commOptions/use:press") == "true"
    assert after.text("use:tracking/use:trackingCode3") == "cost-centre-7"
    assert after.text("use:privilege/use:recordingEditor") == "true"
    assert after.text("use:privilege/use:HDvideo") == "true"
    assert after.text("use:sessionOptions/use:autoDeleteAfterMeetingEnd") == "true"


@pytest.mark.behaviour("user-profile-round-trip")
def test_profile_set_by_create_user_is_read_back(profile: Profile) -> None:
    profile.create(company="Harness Ltd", address={"city": "Lyon", "country": "France"})
    answer = profile.get()
    assert answer.text("use:company") == "Harness Ltd"
    assert answer.text("use:address/com:city") == "Lyon"
    assert answer.text("use:address/com:country") == "France"
