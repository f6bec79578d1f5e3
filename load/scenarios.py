"""The XML load scenarios (issue 6) as locust ``FastHttpUser`` classes on :class:`load.xml_user.XmlUser`.

Each class names its scenario (``scenario = "calls"`` …); :mod:`load.process_state` weighs the classes by
the environment file's ``load.mix`` at locust ``init``. Every envelope is pre-built
(:mod:`load.envelopes`); a user joins its own keys in once, in :meth:`setup`.

``calls`` (:class:`CallsUser`)
    Single XML API calls, picked by the ``load.calls`` weights. Setup makes what the chosen APIs
    address (:mod:`load.calls`: a meeting with a registered attendee, an event, a training or
    teleconference session); Create* calls are deleted again when the user stops.
``lifecycle`` (:class:`LifecycleUser`)
    One iteration = CreateMeeting → CreateMeetingAttendee ×3 → GetSessionInfo → SetMeeting →
    DelMeeting. A failed step ends the iteration; its meeting is deleted when the user stops.
``dashboard`` (:class:`DashboardUser`)
    List-heavy reads (:data:`load.envelopes.DASHBOARD_APIS`) over two meetings the user made in
    setup (one with a registered attendee for LstMeetingAttendee).
``registration`` (:class:`RegistrationUser`)
    A registration burst: CreateMeetingAttendee against a meeting whose form requires
    :data:`load.envelopes.REQUIRED_FIELDS`. Four in five registrations are complete (SUCCESS);
    one in five leaves ``company`` out and must get FAILURE 040014 — named
    ``CreateMeetingAttendee (missing required field)``, a success when it does, a failure when
    the site answers anything else (SUCCESS included).
"""

from __future__ import annotations

import itertools
from typing import ClassVar

from locust import task

from webex_harness.load.calls import SESSION_CREATORS
from webex_harness.load.envelopes import DASHBOARD_APIS
from webex_harness.load.weighted import WeightedChoice
from webex_harness.load.xml_user import XmlUser, spliced

__all__ = ["CallsUser", "DashboardUser", "LifecycleUser", "RegistrationUser"]

MISSING_FIELD_NAME = "CreateMeetingAttendee (missing required field)"
#: The exceptionID of a registration missing a required field (001, 40.8.0).
MISSING_FIELD_EXCEPTION = "040014"


class CallsUser(XmlUser):
    """Single XML API calls weighted by ``load.calls``."""

    scenario: ClassVar[str] = "calls"

    def setup(self) -> bool:
        plans = self.state.call_plans
        keys: dict[str, bytes] = {}
        for kind in sorted({plan.needs for plan in plans.values() if plan.needs}):
            envelope = next(self.meeting_pool) if kind == "meeting" else self.envelopes.create_session[kind]
            key = self.create(kind, f"{SESSION_CREATORS[kind]} (setup)", envelope)
            if key is None:
                return False
            if (
                kind == "meeting"
                and self.post("RegisterMeetingAttendee (setup)", self.envelopes.register_attendee.with_key(key)) is None
            ):
                return False
            keys[kind] = key
        #: API → its envelopes with this user's keys spliced in
        self.calls = {
            api: itertools.cycle(spliced(templates, keys.get(plans[api].needs or "", b"")))
            for api, templates in self.envelopes.calls.items()
        }
        self.choice = WeightedChoice({api: self.state.settings.calls[api] for api in self.calls}, self.random)
        return True

    @task
    def call(self) -> None:
        self.ensure_ready()
        api = self.choice.pick()
        plan = self.state.call_plans[api]
        envelope = next(self.calls[api])
        if plan.creates:
            self.create(plan.creates if plan.creates == "meeting" else "session", api, envelope)
        else:
            self.post(api, envelope)


class LifecycleUser(XmlUser):
    """Schedule → invite → read → update → delete, one meeting per iteration."""

    scenario: ClassVar[str] = "lifecycle"

    def setup(self) -> bool:
        self.set_meetings = itertools.cycle(self.envelopes.set_meeting)
        return True

    @task
    def lifecycle(self) -> None:
        key = self.create("meeting", "CreateMeeting", next(self.meeting_pool))
        if key is None:
            return
        for invitation in self.envelopes.invite_attendees:
            if self.post("CreateMeetingAttendee", invitation.with_key(key)) is None:
                return
        if self.post("GetSessionInfo", self.envelopes.session_info.with_key(key)) is None:
            return
        if self.post("SetMeeting", next(self.set_meetings).with_key(key)) is None:
            return
        if self.post("DelMeeting", self.envelopes.del_meeting.with_key(key)) is not None:
            self.forget(key)


class DashboardUser(XmlUser):
    """List-heavy reads over the user's own meetings."""

    scenario: ClassVar[str] = "dashboard"

    def setup(self) -> bool:
        first = self.create("meeting", "CreateMeeting (setup)", next(self.meeting_pool))
        if first is None or self.create("meeting", "CreateMeeting (setup)", next(self.meeting_pool)) is None:
            return False
        if self.post("RegisterMeetingAttendee (setup)", self.envelopes.register_attendee.with_key(first)) is None:
            return False
        self.reads = {
            api: itertools.cycle(spliced(templates, first)) for api, templates in self.envelopes.dashboard.items()
        }
        self.choice = WeightedChoice(DASHBOARD_APIS, self.random)
        return True

    @task
    def read(self) -> None:
        self.ensure_ready()
        api = self.choice.pick()
        self.post(api, next(self.reads[api]))


class RegistrationUser(XmlUser):
    """A registration burst against a form with required fields (module docstring)."""

    scenario: ClassVar[str] = "registration"

    def setup(self) -> bool:
        key = self.create("meeting", "CreateMeeting (setup)", self.envelopes.create_registration_meeting)
        if key is None:
            return False
        self.complete = itertools.cycle(spliced(list(self.envelopes.registrations), key))
        self.incomplete = itertools.cycle(spliced(list(self.envelopes.incomplete_registrations), key))
        return True

    @task(4)
    def register(self) -> None:
        self.ensure_ready()
        self.post("CreateMeetingAttendee", next(self.complete))

    @task(1)
    def register_without_a_required_field(self) -> None:
        self.ensure_ready()
        self.post(MISSING_FIELD_NAME, next(self.incomplete), expect=MISSING_FIELD_EXCEPTION)
