"""GetSite: site options, meeting types and site-level templates (001, 40.6.0, 40.10.0, 40.12.0);
LstTimeZone (reference page lsttimezone) and GetAPIVersion (reference page "XML Request and
Response Documents")."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from webex_harness.contracts.support import TIME_ZONE_FIELDS
from webex_harness.plugin.targets import SiteHandle
from webex_harness.webex.envelope import XmlResponse

_SI = "ns1:siteInstance"


def _get_site(site: SiteHandle) -> XmlResponse:
    return site.client("host").call("site", "GetSite", {}).expect_success()


@pytest.mark.behaviour("site-options")
def test_get_site_reports_meeting_types_and_site_level_templates(site: SiteHandle) -> None:
    got = _get_site(site)
    ids = got.texts(f"{_SI}/ns1:meetingTypes/ns1:meetingTypeID")
    names = got.texts(f"{_SI}/ns1:meetingTypes/ns1:meetingTypeName")
    assert ids and len(ids) == len(names) and all(i.isdigit() for i in ids) and all(names)
    templates = got.xpath(f"{_SI}/ns1:meetingTemplates/ns1:meetingTemplate")
    assert templates, "site-level meetingTemplates are reported"
    for template in templates:
        assert template.findtext("{*}meetingTemplateName")
        assert template.findtext("{*}serviceType") in ("MeetingCenter", "EventCenter", "TrainingCenter")


@pytest.mark.behaviour("site-options")
@pytest.mark.parametrize("enabled", [False, True])
def test_get_site_reports_enable_mobile_screen_capture(site_factory: Callable[..., SiteHandle], enabled: bool) -> None:
    got = _get_site(site_factory(mobile_screen_capture=enabled))
    assert got.text(f"{_SI}/ns1:securityOptions/ns1:EnableMobileScreenCapture") == str(enabled).lower()


@pytest.mark.behaviour("site-options")
@pytest.mark.behaviour("scheduled-pmr-listing")
@pytest.mark.parametrize("enabled", [False, True])
def test_get_site_reports_support_xml_api_return_scheduled_pmr(
    site_factory: Callable[..., SiteHandle], enabled: bool
) -> None:
    got = _get_site(site_factory(return_scheduled_pmr=enabled))
    assert got.text(f"{_SI}/ns1:siteCommonOptions/ns1:SupportXMLAPIReturnScheduledPMR") == str(enabled).lower()


@pytest.mark.behaviour("site-options")
def test_get_site_names_the_site(site: SiteHandle) -> None:
    assert (_get_site(site).text(f"{_SI}/ns1:metaData/ns1:siteName") or "").lower() == site.name.lower()


# ---------------------------------------------------------------- time-zone-offsets (reference: lsttimezone)


def _time_zones(site: SiteHandle, body: dict[str, object]) -> XmlResponse:
    return site.client("host").call("site", "LstTimeZone", body).expect_success()


@pytest.mark.behaviour("time-zone-offsets")
def test_lst_time_zone_lists_all_62_zones_with_the_documented_elements(site: SiteHandle) -> None:
    got = _time_zones(site, {"date": "01/26/2015 21:00:00"})
    zones = got.xpath("ns1:timeZone")
    assert [z.findtext("{*}timeZoneID") for z in zones] == [str(i) for i in range(62)]
    for zone in zones:
        assert [c.tag.split("}")[1] for c in zone] == TIME_ZONE_FIELDS
        assert (zone.findtext("{*}gmtOffset") or "").lstrip("-").isdigit()
        assert (zone.findtext("{*}description") or "").startswith("GMT")


@pytest.mark.behaviour("time-zone-offsets")
@pytest.mark.parametrize(
    ("tz", "date", "offset", "dst"),
    [
        (4, "01/26/2015 21:00:00", -480, False),  # the page's sample: Pacific in January
        (4, "07/01/2015 12:00:00", -420, True),  # Pacific in summer
        (5, "07/01/2015 12:00:00", -420, False),  # Arizona keeps standard time
        (55, "01/15/2015 00:00:00", 660, True),  # Sydney's summer is January
        (55, "07/15/2015 00:00:00", 600, False),
        (21, "07/01/2015 12:00:00", 60, True),  # London in summer
    ],
)
def test_lst_time_zone_offset_follows_daylight_saving_at_the_date(
    site: SiteHandle, tz: int, date: str, offset: int, dst: bool
) -> None:
    got = _time_zones(site, {"timeZoneID": tz, "date": date})
    assert got.texts("ns1:timeZone/ns1:timeZoneID") == [str(tz)]
    assert got.text("ns1:timeZone/ns1:gmtOffset") == str(offset)
    assert got.text("ns1:timeZone/ns1:fallInDST") == str(dst).lower()
    hours, minutes = divmod(abs(offset), 60)
    sign = "-" if offset < 0 else "+"
    assert (got.text("ns1:timeZone/ns1:description") or "").startswith(f"GMT{sign}{hours:02d}:{minutes:02d}")


@pytest.mark.behaviour("time-zone-offsets")
def test_lst_time_zone_answers_the_zones_asked_for_in_order(site: SiteHandle) -> None:
    got = site.client("host").call("site", "LstTimeZone", {"timeZoneID": [11, 4]})
    assert got.expect_success().texts("ns1:timeZone/ns1:timeZoneID") == ["11", "4"]


# ---------------------------------------------------------------- api-version (reference: XML request and responses)


@pytest.mark.behaviour("api-version")
def test_get_api_version_answers_a_site_name_only_request(site: SiteHandle) -> None:
    got = site.anonymous().call("ep", "GetAPIVersion", {}).expect_success()
    assert got.body is not None
    assert [c.tag.split("}")[1] for c in got.body] == ["apiVersion", "release", "apiVer"]
    assert (got.text("ep:apiVersion") or "").startswith("WebEx XML API V")
    assert got.text("ep:release")


@pytest.mark.behaviour("api-version")
@pytest.mark.parametrize("version", ["40.4.0", "40.12.0"])
def test_get_api_version_names_the_release_the_site_runs(site_factory: Callable[..., SiteHandle], version: str) -> None:
    got = _get_api_version(site_factory(api_version=version))
    assert got.text("ep:apiVer") == version


def _get_api_version(site: SiteHandle) -> XmlResponse:
    return site.client("host").call("ep", "GetAPIVersion", {}).expect_success()
