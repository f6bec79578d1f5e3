"""A state machine over the host's recordings and their access reports.

A run cannot make a recording, so the machine works on the recordings the host has (on the emulator
the two every user is given). It reads them first (LstRecording, GetRecordingInfo, the unscoped
LstrecordaccessHistory as the baseline) and then, on the emulator only, changes them
(SetRecordingInfo), deletes them (DelRecording) and has participants view or download them (the
control API). A model rides along; the read rules compare: GetRecordingInfo answers what the last
SetRecordingInfo wrote (``recording-info``), a deleted recording is gone from LstRecording, from
GetRecordingInfo and the access reports (000015, ``del-recording``), LstrecordaccessHistory counts the
views, downloads and registered viewers of each recording, within a view time scope only the
accesses inside it (``record-access-history``), and LstrecordaccessDetailHistory lists the accesses
of the recording named and no other — as many as the history counts (``record-access-detail``).
On a real site only the read rules run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from webex_harness.contracts.stateful.machine import recorded
from webex_harness.contracts.stateful.people import PeopleMachine
from webex_harness.plugin.targets import SiteHandle
from webex_harness.webex.envelope import XmlResponse

#: the participants the machine has view or download recordings (not among any seeded viewers)
VIEWERS = (
    ("Vi Ewer", "vi.ewer@example.org"),
    ("Dee Loader", "dee.loader@example.org"),
    ("Al Both", "al.both@example.org"),
)
LISTINGS = ("PUBLIC", "PRIVATE", "UNLISTED")
_ALL = {"listControl": {"startFrom": 1, "maximumNum": 100}}


@dataclass
class Access:
    email: str
    action: str
    registered: bool


@dataclass
class Recording:
    rid: str
    topic: str
    listing: str
    description: str
    chat: str
    download: str
    #: the unscoped access counts before the machine's own accesses (registered, downloaded, viewed)
    baseline: tuple[int, int, int] = (0, 0, 0)
    accesses: list[Access] = field(default_factory=list)
    deleted: bool = False

    def counts(self) -> tuple[int, int, int]:
        registered = {a.email for a in self.accesses if a.registered}
        downloads = sum(a.action == "download" for a in self.accesses)
        views = sum(a.action == "view" for a in self.accesses)
        return (self.baseline[0] + len(registered), self.baseline[1] + downloads, self.baseline[2] + views)

    def own_counts(self) -> tuple[int, int, int]:
        registered = {a.email for a in self.accesses if a.registered}
        return (
            len(registered),
            sum(a.action == "download" for a in self.accesses),
            sum(a.action == "view" for a in self.accesses),
        )


def _counts(got: XmlResponse) -> dict[str, tuple[int, int, int]]:
    """recordID -> (registered, downloaded, viewed) of a LstrecordaccessHistory answer."""
    out: dict[str, tuple[int, int, int]] = {}
    for entry in got.xpath("history:recordAccessHistory"):
        values = [int(entry.findtext(f"{{*}}{name}") or "0") for name in ("registered", "downloaded", "viewed")]
        out[entry.findtext("{*}recordID") or ""] = (values[0], values[1], values[2])
    return out


class RecordingMachine(PeopleMachine):
    examples = 20
    steps_per_example = 10

    def __init__(self, site: SiteHandle) -> None:
        super().__init__(site)
        self.model: list[Recording] = []

    def _pick(self, pick: int) -> Recording:
        return self.model[pick % len(self.model)]

    def _live(self) -> list[Recording]:
        return [r for r in self.model if not r.deleted]

    @initialize()
    @recorded
    def read_recordings(self) -> None:
        listed = self.xml("ep", "LstRecording", {"listControl": {"serv:startFrom": 1, "serv:maximumNum": 2}})
        if listed.exception_id == "000015":
            return
        history = _counts(self.xml("history", "LstrecordaccessHistory", _ALL).expect_success())
        for rid in listed.expect_success().texts("ep:recording/ep:recordingID"):
            got = self.xml("ep", "GetRecordingInfo", {"recordingID": rid}).expect_success()
            self.model.append(
                Recording(
                    rid,
                    got.text("ep:basic/ep:topic") or "",
                    got.text("ep:basic/ep:listing") or "",
                    got.text("ep:basic/ep:description") or "",
                    got.text("ep:playback/ep:chat") or "",
                    got.text("ep:fileAccess/ep:attendeeDownload") or "",
                    history.get(rid, (0, 0, 0)),
                )
            )

    # ------------------------------------------------------------ changes (emulator)

    @precondition(lambda self: self.site.is_emulator and bool(self.model))
    @rule(
        pick=st.integers(0, 1),
        topic=st.sampled_from(["", "Review", "Launch"]),
        listing=st.sampled_from(["", *LISTINGS]),
        description=st.sampled_from(["", "first cut", "final"]),
        chat=st.sampled_from(["", "true", "false"]),
        download=st.sampled_from(["", "true", "false"]),
    )
    @recorded
    def set_info(self, pick: int, topic: str, listing: str, description: str, chat: str, download: str) -> None:
        """SetRecordingInfo with the drawn changes ("" leaves that element out)."""
        record = self._pick(pick)
        body: dict[str, Any] = {"recording": {"recordingID": record.rid}}
        if description:
            body["recording"]["description"] = description
        basic = {k: v for k, v in (("topic", topic), ("listing", listing)) if v}
        if basic:
            body["basic"] = basic
        if chat:
            body["playback"] = {"chat": chat}
        if download:
            body["fileAccess"] = {"attendeeDownload": download}
        answer = self.xml("ep", "SetRecordingInfo", body)
        if record.deleted:
            assert answer.exception_id == "000015", f"a deleted recording cannot be changed: {answer.describe()}"
            return
        answer.expect_success()
        record.topic = topic or record.topic
        record.listing = listing or record.listing
        record.description = description or record.description
        record.chat = chat or record.chat
        record.download = download or record.download
        self._check_info(record)

    @precondition(lambda self: self.site.is_emulator and bool(self.model))
    @rule(pick=st.integers(0, 1))
    @recorded
    def delete(self, pick: int) -> None:
        record = self._pick(pick)
        answer = self.xml("ep", "DelRecording", {"recordingID": record.rid})
        if record.deleted:
            assert answer.exception_id == "000015", f"deleted twice: {answer.describe()}"
            return
        assert answer.expect_success().text("ep:recordingID") == record.rid
        record.deleted = True
        got = self.xml("ep", "GetRecordingInfo", {"recordingID": record.rid})
        assert got.exception_id == "000015", f"recording {record.rid} right after its delete: {got.describe()}"

    @precondition(lambda self: self.site.is_emulator and bool(self.model))
    @rule(pick=st.integers(0, 1), viewer=st.integers(0, 2), download=st.booleans(), registered=st.booleans())
    @recorded
    def access(self, pick: int, viewer: int, download: bool, registered: bool) -> None:
        """The control API: a participant views or downloads the recording now."""
        record = self._pick(pick)
        if record.deleted:
            return
        name, email = VIEWERS[viewer]
        action = "download" if download else "view"
        self.site.control.access_recording(
            self.site.name, record.rid, name=name, email=email, action=action, registered=registered
        )
        record.accesses.append(Access(email, action, registered))

    # ------------------------------------------------------------ reads

    @precondition(lambda self: bool(self.model))
    @rule()
    @recorded
    def list_recordings(self) -> None:
        listed = self.xml("ep", "LstRecording", {"listControl": {"serv:startFrom": 1, "serv:maximumNum": 100}})
        ids = listed.texts("ep:recording/ep:recordingID") if listed.ok else []
        for record in self.model:
            assert (record.rid in ids) != record.deleted, (
                f"recording {record.rid} ({'deleted' if record.deleted else 'live'}): LstRecording lists {ids}"
            )

    @precondition(lambda self: bool(self.model))
    @rule(pick=st.integers(0, 1))
    @recorded
    def get_info(self, pick: int) -> None:
        self._check_info(self._pick(pick))

    def _check_info(self, record: Recording) -> None:
        """GetRecordingInfo answers what the last SetRecordingInfo wrote; a deleted recording is 000015."""
        got = self.xml("ep", "GetRecordingInfo", {"recordingID": record.rid})
        if record.deleted:
            assert got.exception_id == "000015", f"recording {record.rid} was deleted: {got.describe()}"
            return
        got.expect_success()
        shown = (
            got.text("ep:basic/ep:topic"),
            got.text("ep:basic/ep:listing"),
            got.text("ep:basic/ep:description") or "",
            got.text("ep:playback/ep:chat"),
            got.text("ep:fileAccess/ep:attendeeDownload"),
        )
        expected = (record.topic, record.listing, record.description, record.chat, record.download)
        assert shown == expected, f"recording {record.rid}: the last SetRecordingInfo wrote {expected}, read {shown}"

    @precondition(lambda self: bool(self.model))
    @rule(scoped=st.booleans())
    @recorded
    def access_history(self, scoped: bool) -> None:
        """LstrecordaccessHistory: every live recording with its counts; with a view time scope from
        five minutes ago (emulator), only the machine's own accesses, and only recordings they touched."""
        body: dict[str, Any] = dict(_ALL)
        if scoped and self.site.is_emulator:
            since = self.site_now() - timedelta(minutes=5)
            body["viewTimeScope"] = {"viewTimeStart": f"{since:%m/%d/%Y %H:%M:%S}"}
            expected = {r.rid: r.own_counts() for r in self._live() if r.accesses}
        else:
            expected = {r.rid: r.counts() for r in self._live()}
        got = self.xml("history", "LstrecordaccessHistory", body)
        counts = _counts(got) if got.ok else {}
        own = {rid: c for rid, c in counts.items() if rid in {r.rid for r in self.model}}
        assert own == expected, (
            f"(registered, downloaded, viewed) per recording, view time scope {body.get('viewTimeScope')}: "
            f"expected {expected}, answered {own}"
        )

    @precondition(lambda self: bool(self.model))
    @rule(pick=st.integers(0, 1))
    @recorded
    def access_detail(self, pick: int) -> None:
        """LstrecordaccessDetailHistory: the accesses of that recording only, as many as the history counts."""
        record = self._pick(pick)
        got = self.xml("history", "LstrecordaccessDetailHistory", {"recordID": record.rid, **_ALL})
        if record.deleted:
            assert got.exception_id == "000015", f"recording {record.rid} was deleted: {got.describe()}"
            return
        emails = got.texts("history:recordDetail/history:participantEmail") if got.ok else []
        mine = [e for e in emails if e in {v[1] for v in VIEWERS}]
        assert mine == [a.email for a in record.accesses], (
            f"recording {record.rid}: its own accesses were by {[a.email for a in record.accesses]}, "
            f"the detail lists {mine}"
        )
        _, downloaded, viewed = record.counts()
        assert len(emails) == downloaded + viewed, (
            f"recording {record.rid}: the history counts {viewed} views and {downloaded} downloads, "
            f"the detail lists {len(emails)} accesses"
        )


def test_recordings_and_their_access_reports_follow_changes(run_stateful) -> None:  # type: ignore[no-untyped-def]
    run_stateful(RecordingMachine)
