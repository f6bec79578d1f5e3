"""The catalogue's ``sources``: seeds ("001:40.6.0") and pages of the XML API Reference Guide
("ref:getloginticket"), and how docs/apis.md shows them."""

from __future__ import annotations

import pytest

from webex_harness.generators.catalogue import REFERENCE_GUIDE, CatalogueError, _source, all_apis, api
from webex_harness.generators.reference_doc import render


def test_a_reference_page_is_a_source_shown_as_its_address() -> None:
    source = _source("ref:getloginticket")
    assert source.page == "getloginticket" and source.url == REFERENCE_GUIDE + "getloginticket"
    assert str(source) == source.file == "https://developer.cisco.com/docs/webex-xml-api-reference-guide/getloginticket"
    seed = _source("001:40.6.0")
    assert seed.url is None and str(seed) == "001 (40.6.0)"


@pytest.mark.parametrize("bad", ["ref:", "ref:Get Login", "ref:../x", "999"])
def test_a_bad_source_is_refused_naming_it(bad: str) -> None:
    with pytest.raises(CatalogueError, match="source"):
        _source(bad)


@pytest.mark.parametrize(
    ("name", "page"),
    [
        ("LstTimeZone", "lsttimezone"),
        ("GetAPIVersion", "getapiversion"),
        ("LstrecordaccessHistory", "lstrecordaccesshistory"),
        ("LstrecordaccessDetailHistory", "lstrecordaccessdetailhistory"),
    ],
)
def test_the_general_service_apis_the_seeds_are_silent_on_cite_their_page(name: str, page: str) -> None:
    spec = api(name)
    assert page in [s.page for s in spec.sources]
    assert REFERENCE_GUIDE + page in spec.source_text()


def test_docs_apis_links_every_cited_reference_page() -> None:
    text = render()
    cited = {s.url for a in all_apis() for s in a.sources if s.url}
    assert cited and all(f"]({url})" in text for url in cited)
