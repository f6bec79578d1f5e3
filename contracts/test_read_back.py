"""Read-back contracts: every XML Set API keeps what it is sent. For each row of
:data:`contracts.read_back_pairs.PAIRS` a test makes an object of the run's own, reads it, changes every
documented updatable request element (the catalogue's, values drawn by the generators to differ from
what the object holds) in one Set, then reads it back through the
matching Get and the list API that lists it: every element must show the value sent. A failure names
the Set API, each element it did not keep, what the answer shows and where.
"""

from __future__ import annotations

import pytest

from webex_harness.contracts.read_back_pairs import Bench, Made, Pair, pair
from webex_harness.contracts.read_back_values import Change, changes, set_body, updatable
from webex_harness.contracts.support import HOST_OWN_STATE
from webex_harness.generators.catalogue import api
from webex_harness.plugin.targets import SiteHandle
from webex_harness.webex.envelope import XmlResponse

#: the One-Click rows change the host's own settings, as contracts/test_one_click.py does: never side by side
ONE_CLICK_GROUP = pytest.mark.xdist_group(HOST_OWN_STATE)

ROWS = [
    pytest.param("SetMeeting", marks=pytest.mark.behaviour("set-meeting-read-back"), id="SetMeeting"),
    pytest.param("SetEvent", marks=pytest.mark.behaviour("set-event-read-back"), id="SetEvent"),
    pytest.param(
        "SetTrainingSession", marks=pytest.mark.behaviour("set-training-session-read-back"), id="SetTrainingSession"
    ),
    pytest.param(
        "SetScheduledTest", marks=pytest.mark.behaviour("set-scheduled-test-read-back"), id="SetScheduledTest"
    ),
    pytest.param(
        "SetTeleconferenceSession",
        marks=pytest.mark.behaviour("set-teleconference-session-read-back"),
        id="SetTeleconferenceSession",
    ),
    pytest.param("SetUser", marks=[pytest.mark.behaviour("set-user-read-back"), pytest.mark.destructive], id="SetUser"),
    pytest.param(
        "SetRecordingInfo", marks=pytest.mark.behaviour("set-recording-info-read-back"), id="SetRecordingInfo"
    ),
    pytest.param(
        "SetupOneClickSettings",
        marks=[pytest.mark.behaviour("setup-one-click-settings-read-back"), ONE_CLICK_GROUP],
        id="SetupOneClickSettings",
    ),
    pytest.param(
        "SetOneClickSettings",
        marks=[pytest.mark.behaviour("set-one-click-settings-read-back"), ONE_CLICK_GROUP],
        id="SetOneClickSettings",
    ),
    pytest.param("SetContact", marks=pytest.mark.behaviour("set-contact-read-back"), id="SetContact"),
    pytest.param("SetDistList", marks=pytest.mark.behaviour("set-dist-list-read-back"), id="SetDistList"),
]


def _not_kept(row: Pair, sent: list[Change], answer: XmlResponse, api_name: str) -> list[str]:
    return [
        f"  {c.path}: {api_name} answers {answer.text(c.answer)!r} at {c.answer} "
        f"(before the Set: {c.before!r}), {row.set_api} sent {c.value!r}"
        for c in sent
        if not c.shown(answer.text(c.answer))
    ]


def _listed(row: Pair, made: Made, sent: list[Change], answer: XmlResponse) -> list[str]:
    assert row.listing is not None
    record = row.listing.record.format_map(made.get)
    by_path = {c.path: c for c in sent}
    problems = []
    for path, element in row.listing.fields.items():
        change = by_path.get(path)
        if change is None:
            continue
        where = f"{record}/{element}"
        got = answer.text(where)
        if not change.shown(got):
            problems.append(
                f"  {path}: {row.listing.api} answers {got!r} at {where}, {row.set_api} sent {change.value!r}"
            )
    return problems


@pytest.mark.parametrize("set_api", ROWS)
def test_a_set_api_keeps_every_documented_field_it_is_sent(site: SiteHandle, seed: int, set_api: str) -> None:
    row = pair(set_api)
    if row.emulator_only and not site.is_emulator:
        pytest.skip(f"emulator only: {row.emulator_only}")
    spec = api(set_api)
    bench = Bench(site, site.client(row.role))
    try:
        made = row.make(bench)
        service = api(row.get_api).service
        before = made.before or bench.xml.call(service, row.get_api, dict(made.get)).expect_success()
        sent = changes(
            spec,
            updatable(spec, row.skip),
            prefix=row.prefix,
            moved=row.moved,
            before=before,
            named=row.named,
            choices=made.choices,
            seed=seed,
        )
        assert sent, f"{set_api}: the catalogue documents no updatable element"
        answer = bench.xml.call(spec.service, set_api, set_body(spec, made.fixed, sent))
        assert answer.ok, f"{set_api} refused the changes: {answer.describe()}"
        after = bench.xml.call(service, row.get_api, dict(made.get)).expect_success()
        problems = _not_kept(row, sent, after, row.get_api)
        if row.listing is not None and made.listed is not None:
            listing = api(row.listing.api)
            listed = bench.xml.call(listing.service, row.listing.api, dict(made.listed)).expect_success()
            problems += _listed(row, made, sent, listed)
        assert not problems, (
            f"{set_api} did not keep {len(problems)} of the {len(sent)} elements it was sent:\n" + "\n".join(problems)
        )
    finally:
        bench.clean()
