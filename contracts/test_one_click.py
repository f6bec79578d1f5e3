"""A user's own settings in the general session and user services: One-Click meeting settings
(GetOneClickSettings, SetupOneClickSettings: one-click-settings; SetOneClickSettings:
one-click-set-service-type) and the Personal Meeting Room's images (UploadPMRImage: pmr-image).

On a real site the One-Click tests change the host's own settings: each test reads them first and
sets them back afterwards. A PMR image cannot be read back or removed through the XML API, so
uploading one is done on the emulator only; refusing data that is no image changes nothing and runs
everywhere.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.contracts.support import HOST_OWN_STATE
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle
from webex_harness.webex.envelope import XmlResponse

#: Every test here changes the host's own One-Click settings (and sets them back): one after another on a
#: site (contracts.support.HOST_OWN_STATE).
pytestmark = pytest.mark.xdist_group(HOST_OWN_STATE)

_GIF = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


def _setup_body(got: XmlResponse) -> dict[str, Any]:
    """A SetupOneClickSettings body that sets the settings ``got`` (a GetOneClickSettings answer) shows."""
    meta = {
        name: got.text(f"ep:metaData/ep:{name}")
        for name in ("serviceType", "sessionType", "confName", "sessionPassword", "listing", "isInternal")
        if got.text(f"ep:metaData/ep:{name}") is not None
    }
    phone = {
        name: got.text(f"ep:telephony/ep:{name}")
        for name in ("telephonySupport", "extTelephonyDescription", "intlLocalCallIn", "tollfree", "entryExitTone")
        if got.text(f"ep:telephony/ep:{name}") is not None
    }
    codes = [
        {"index": entry.findtext("{*}index"), "value": entry.findtext("{*}value") or ""}
        for entry in got.xpath("ep:trackingCodes/ep:trackingCode")
    ]
    body: dict[str, Any] = {"metaData": meta}
    if codes:
        body["tracking"] = {"trackingCode": codes}
    body["telephony"] = phone
    body["enableOptions"] = {"voip": got.text("ep:enableOptions/ep:voip") or "false"}
    body["attendeeOptions"] = {"joinApproval": got.text("ep:attendeeOptions/ep:joinApproval") or "false"}
    return body


@pytest.fixture
def own_settings(xml: XmlClient) -> Iterator[XmlResponse]:
    """The host's One-Click settings before the test; set back afterwards."""
    before = xml.call("ep", "GetOneClickSettings", {}).expect_success()
    yield before
    xml.call("ep", "SetupOneClickSettings", _setup_body(before))


def _setup(name: str) -> dict[str, Any]:
    return {
        "metaData": {"serviceType": "MeetingCenter", "sessionType": 3, "confName": name, "listing": "PRIVATE"},
        "telephony": {"telephonySupport": "CALLIN", "tollfree": True},
        "enableOptions": {"voip": True},
        "attendeeOptions": {"joinApproval": True},
    }


# ---------------------------------------------------------------- one-click-settings


@pytest.mark.behaviour("one-click-settings")
def test_setup_one_click_settings_are_read_back(xml: XmlClient, own_settings: XmlResponse) -> None:
    name = own_name("one-click")
    xml.call("ep", "SetupOneClickSettings", _setup(name)).expect_success()
    got = xml.call("ep", "GetOneClickSettings", {}).expect_success()
    assert got.text("ep:metaData/ep:confName") == name
    assert got.text("ep:metaData/ep:sessionType") == "3"
    assert got.text("ep:metaData/ep:listing") == "PRIVATE"
    assert got.text("ep:telephony/ep:telephonySupport") == "CALLIN"
    assert got.text("ep:telephony/ep:tollfree") == "true"
    assert got.text("ep:enableOptions/ep:voip") == "true"
    assert got.text("ep:attendeeOptions/ep:joinApproval") == "true"


@pytest.mark.behaviour("one-click-settings")
def test_setup_one_click_settings_replaces_what_it_leaves_out(xml: XmlClient, own_settings: XmlResponse) -> None:
    xml.call("ep", "SetupOneClickSettings", _setup(own_name("one-click"))).expect_success()
    only_meta = {"metaData": _setup(own_name("one-click 2"))["metaData"]}
    xml.call("ep", "SetupOneClickSettings", only_meta).expect_success()
    got = xml.call("ep", "GetOneClickSettings", {}).expect_success()
    assert got.text("ep:metaData/ep:confName") == own_name("one-click 2")
    assert got.text("ep:enableOptions/ep:voip") == "false", "voip was left out: back to its default"


@pytest.mark.behaviour("one-click-settings")
def test_another_users_one_click_settings_need_a_site_administrator(site: SiteHandle) -> None:
    admin = site.security("admin").webex_id
    got = site.client("invitee").call("ep", "GetOneClickSettings", {"hostWebExID": admin})
    assert got.exception_id == "000001", got.describe()


# ---------------------------------------------------------------- one-click-set-service-type


@pytest.mark.behaviour("one-click-set-service-type")
def test_set_one_click_settings_changes_only_the_meeting_type(xml: XmlClient, own_settings: XmlResponse) -> None:
    name = own_name("one-click")
    body = _setup(name)
    body["metaData"]["sessionType"] = 1
    xml.call("ep", "SetupOneClickSettings", body).expect_success()
    change = {"oneClickMetaData": {"serviceType": "MeetingCenter", "sessionType": 3}}
    xml.call("ep", "SetOneClickSettings", change).expect_success()
    got = xml.call("ep", "GetOneClickSettings", {}).expect_success()
    assert got.text("ep:metaData/ep:sessionType") == "3"
    assert got.text("ep:metaData/ep:confName") == name, "the meeting's name is kept"
    assert got.text("ep:telephony/ep:telephonySupport") == "CALLIN", "the telephony is kept"
    assert got.text("ep:enableOptions/ep:voip") == "true", "the options are kept"


# ---------------------------------------------------------------- pmr-image


@pytest.mark.behaviour("pmr-image")
def test_upload_pmr_image_refuses_data_that_is_no_image(xml: XmlClient) -> None:
    text = base64.b64encode(b"this is not a picture").decode()
    got = xml.call("user", "UploadPMRImage", {"imageFor": "Photo", "imageData": text})
    assert got.result == "FAILURE", got.describe()


@pytest.mark.behaviour("pmr-image")
def test_upload_pmr_image_keeps_the_image_for_its_kind(site: SiteHandle, xml: XmlClient) -> None:
    if not site.is_emulator:
        pytest.skip("emulator only: a PMR image cannot be read back or removed through the XML API")
    xml.call("user", "UploadPMRImage", {"imageFor": "Header", "imageData": _GIF}).expect_success()
    users = site.state()["users"]
    host = site.security("host").webex_id.lower()
    kept = next(u for u in users if u["webExID"].lower() == host)["pmrImages"]
    assert kept == {"Header": {"format": "GIF", "size": 42}}
