"""Every request: the envelope's shape, the bodyContent limit (001 40.4.4) and anonymous
LstsummarySession (001 40.2.0)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from lxml import etree

from webex_harness.client.xml_client import XmlClient
from webex_harness.plugin.targets import SiteHandle
from webex_harness.plugin.xml_meetings import Meetings
from webex_harness.webex.envelope import XmlResponse, build_multi_request
from webex_harness.webex.namespaces import NAMESPACES, SERV, XSI

#: the prefixes the samples use, which clients read by (docs/wire.md X2)
_DOCUMENTED_PREFIXES = ("serv", "com", "meet", "att", "event", "train", "ep", "use", "history", "ns1")


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _header(response: XmlResponse) -> list[etree._Element]:
    assert response.root is not None, response.describe()
    found = response.root.findall(f"{{{SERV}}}header/{{{SERV}}}response")
    assert len(found) == 1, f"one serv:response expected, got {len(found)}"
    return list(found[0])


def _assert_success_envelope(response: XmlResponse, xsi_type: str, prefix: str) -> None:
    response.expect_success()
    root = response.root
    assert root is not None
    assert root.tag == f"{{{SERV}}}message"
    for p in _DOCUMENTED_PREFIXES:
        assert root.nsmap.get(p) == NAMESPACES[p], f"xmlns:{p} must be declared on the root"
    header = _header(response)
    assert [(_local(e), e.prefix) for e in header] == [("result", "serv"), ("gsbStatus", "serv")]
    assert [e.text for e in header] == ["SUCCESS", "PRIMARY"]
    body = response.body
    assert body is not None and body.tag == f"{{{SERV}}}bodyContent"
    assert body.get(f"{{{XSI}}}type") == xsi_type
    assert body.nsmap.get("xsi") == XSI
    children = list(body)
    assert children, "a SUCCESS bodyContent carries the response elements"
    for child in children:
        assert (child.prefix, etree.QName(child).namespace) == (prefix, NAMESPACES[prefix]), (
            f"{_local(child)} must be {prefix}:{_local(child)}"
        )


@pytest.mark.behaviour("envelope-shape")
@pytest.mark.parametrize(
    ("service", "api", "body", "xsi_type", "prefix"),
    [
        ("user", "GetUser", None, "use:getUserResponse", "use"),
        ("site", "GetSite", {}, "ns1:getSiteResponse", "ns1"),
        ("history", "LstAccessAnywhereHistory", {}, "history:LstAccessAnywhereHistoryResponse", "history"),
    ],
)
def test_success_envelope_has_the_documented_shape_and_prefixes(
    site: SiteHandle, service: str, api: str, body: dict[str, Any] | None, xsi_type: str, prefix: str
) -> None:
    client = site.client("host")
    if body is None:
        body = {"webExId": client.security.webex_id}
    _assert_success_envelope(client.call(service, api, body), xsi_type, prefix)


@pytest.mark.behaviour("envelope-shape")
def test_get_session_info_envelope_uses_the_ep_prefix(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok()
    _assert_success_envelope(xml.call("ep", "GetSessionInfo", {"sessionKey": key}), "ep:getSessionInfoResponse", "ep")


@pytest.mark.behaviour("envelope-shape")
def test_failure_envelope_has_reason_gsbstatus_exception_id_and_an_empty_body(xml: XmlClient) -> None:
    response = xml.call("ep", "GetSessionInfo", {"sessionKey": "100000001"})
    assert response.result == "FAILURE", response.describe()
    header = _header(response)
    names = [_local(e) for e in header]
    assert names[:4] == ["result", "reason", "gsbStatus", "exceptionID"], names
    assert set(names[4:]) <= {"value"}
    assert all(e.prefix == "serv" for e in header)
    assert header[0].text == "FAILURE" and header[2].text == "PRIMARY"
    assert response.reason and response.exception_id
    body = response.body
    assert body is not None and len(body) == 0 and not (body.text or "").strip(), "FAILURE has an empty bodyContent"


# ---------------------------------------------------------------- body-content-limit (001, 40.4.4)


def _bodies(client: XmlClient, n: int) -> list[tuple[str, str, dict[str, Any]]]:
    """``n`` harmless read requests, cycling GetUser / GetSite / GetMe."""
    kinds: list[Callable[[], tuple[str, str, dict[str, Any]]]] = [
        lambda: ("user", "GetUser", {"webExId": client.security.webex_id}),
        lambda: ("site", "GetSite", {}),
        lambda: ("user", "GetMe", {}),
    ]
    return [kinds[i % len(kinds)]() for i in range(n)]


def _send(client: XmlClient, bodies: list[tuple[str, str, dict[str, Any]]]) -> XmlResponse:
    return client.send(build_multi_request(bodies, client.security), api="multiple bodyContents")


_TYPES = {"GetUser": "use:getUserResponse", "GetSite": "ns1:getSiteResponse", "GetMe": "use:getMeResponse"}


def _assert_limit_reached(response: XmlResponse, limit: int) -> None:
    assert response.result == "FAILURE", response.describe()
    assert response.exception_id == "000053"
    assert response.reason == f"The count of BodyContent in a request must be less than {limit}"


def _assert_each_answered(response: XmlResponse, bodies: list[tuple[str, str, dict[str, Any]]]) -> None:
    assert [r["result"] for r in response.results] == ["SUCCESS"] * len(bodies), response.results
    assert [b.get(f"{{{XSI}}}type") for b in response.bodies] == [_TYPES[api] for _, api, _ in bodies]


@pytest.mark.behaviour("body-content-limit")
def test_as_many_body_contents_as_the_limit_fail_with_000053(site: SiteHandle) -> None:
    limit = site.settings.body_content_limit
    client = site.client("host")
    _assert_limit_reached(_send(client, _bodies(client, limit)), limit)


@pytest.mark.behaviour("body-content-limit")
def test_below_the_limit_each_body_content_is_answered_in_order(site: SiteHandle) -> None:
    client = site.client("host")
    bodies = _bodies(client, site.settings.body_content_limit - 1)
    _assert_each_answered(_send(client, bodies), bodies)


@pytest.mark.behaviour("body-content-limit")
def test_a_site_with_a_limit_of_three(site_factory: Callable[..., SiteHandle]) -> None:
    site = site_factory(body_content_limit=3)
    client = site.client("host")
    _assert_limit_reached(_send(client, _bodies(client, 3)), 3)
    _assert_limit_reached(_send(client, _bodies(client, 4)), 3)
    bodies = _bodies(client, 2)
    _assert_each_answered(_send(client, bodies), bodies)


# ---------------------------------------------------------------- anonymous-lstsummarysession (001, 40.2.0)


@pytest.mark.behaviour("anonymous-lstsummarysession")
def test_anonymous_lstsummarysession_fails_with_000015(site: SiteHandle, meetings: Meetings) -> None:
    key, _ = meetings.create_ok()
    response = site.anonymous().call("ep", "LstsummarySession", {"sessionKey": key})
    assert response.result == "FAILURE", response.describe()
    assert response.exception_id == "000015"
    assert "Sorry, no record found" in (response.reason or "")


@pytest.mark.behaviour("anonymous-lstsummarysession")
@pytest.mark.behaviour("meeting-uuid-equivalence")  # the listed session's MeetingUUID
@pytest.mark.api("LstsummarySession")
def test_the_host_lists_the_same_session_with_credentials(xml: XmlClient, meetings: Meetings) -> None:
    key, uuid = meetings.create_ok()
    response = xml.call("ep", "LstsummarySession", {"sessionKey": key}).expect_success()
    assert response.texts("ep:session/ep:sessionKey") == [key]
    assert response.texts("ep:session/ep:MeetingUUID") == [uuid]
