"""GetSite: site options, meeting types and site-level templates (001, 40.6.0, 40.10.0, 40.12.0)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

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
