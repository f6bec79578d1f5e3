"""What an edge case expects: :class:`Expect`, and the table of outcomes the documentation predicts.

Outcomes are predicted **only where the documentation says** (the seeds, or docs/wire.md X6/X7 for
the exception IDs clients branch on); everything else is ``undocumented``: reported by the
contract suites, never asserted.

:data:`PREDICTED` holds, per behaviour of ``webex/behaviours.yaml``, the outcome of the edge case
that probes it. An API's edge case expects it when the API's catalogue entry lists the behaviour
(``spec.behaviours``, :func:`predicted`) — which APIs a prediction applies to is never a list kept
here. The predictions that follow from an API's catalogue fields instead (``not_found``,
``uuid_release``) are made where the case is built. Stands on :mod:`generators.catalogue`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from types import MappingProxyType
from typing import Any

from webex_harness.generators.catalogue import ApiSpec

__all__ = ["PREDICTED", "UNDOCUMENTED", "Expect", "documented", "predicted", "undocumented"]

#: The ``source`` of an outcome the documentation does not predict.
UNDOCUMENTED = "undocumented in the seeds"


@dataclass(frozen=True, slots=True)
class Expect:
    """The predicted outcome of an edge case.

    ``result``: ``SUCCESS`` | ``FAILURE`` | ``HTTP`` (a non-200 answer, ``http_status``) |
    ``undocumented`` (report, do not assert). ``exception_id`` ``None`` with ``FAILURE`` means
    "any FAILURE" (the documentation does not name the ID). ``normalised`` says what the site
    stores instead of what was sent (``{"email": "lowercase"}``). ``value`` is the documented
    ``serv:value``. ``source`` is the seed and release; ``behaviour`` the ID of webex/behaviours.yaml.
    ``requires`` names the preconditions a prediction needs (``ctx.session_key``: the context must
    point at an existing session; ``site.consistent_locked_lobby``: a site toggle …).
    """

    result: str
    exception_id: str | None = None
    http_status: int | None = None
    normalised: dict[str, str] = field(default_factory=dict)
    source: str = UNDOCUMENTED
    behaviour: str | None = None
    value: str | None = None
    requires: tuple[str, ...] = ()

    @property
    def documented(self) -> bool:
        return self.result != "undocumented"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["requires"] = list(self.requires)
        return data


def documented(result: str, source: str, behaviour: str | None, **kw: Any) -> Expect:
    """An outcome the documentation (``source``) predicts."""
    return Expect(result=result, source=source, behaviour=behaviour, **kw)


def undocumented(requires: tuple[str, ...] = ()) -> Expect:
    """An outcome to report, not assert."""
    return Expect(result="undocumented", requires=requires)


def _entry(behaviour: str, result: str, source: str, **kw: Any) -> tuple[str, Expect]:
    return behaviour, documented(result, source, behaviour, **kw)


#: Behaviour ID -> the outcome of the edge case that probes it (case id in the comment).
PREDICTED: Mapping[str, Expect] = MappingProxyType(
    dict(
        (
            # too-many-body-contents: more bodyContents than the site's limit
            _entry("body-content-limit", "FAILURE", "001 (40.4.4)", exception_id="000053"),
            # autoLockWaitTime-not-in-list: a value outside 0, 5, 10, 15, 20 (exceptionID not documented)
            _entry("locked-lobby", "FAILURE", "001 (40.9.0)"),
            # start-date-in-past
            _entry("start-time-in-past", "FAILURE", "001 (40.2.0)", exception_id="060016"),
            # email-mixed-case: stored lowercase
            _entry("email-lowercase", "SUCCESS", "000, 004, 001", normalised={"email": "lowercase"}),
            # email-whitespace (exceptionID not documented)
            _entry("email-no-whitespace", "FAILURE", "001 (40.8.0)"),
            # duplicate-attendee-email: only the first entry is processed (WEBEX-15436)
            _entry("duplicate-email-first-wins", "SUCCESS", "001 (40.12.0)", normalised={"attendees": "first-wins"}),
            # unsafe-html-<element>: the element's normalised entry and the source (000 for SetEvent) per API
            _entry("unsafe-html-filtered", "SUCCESS", "004"),
            # registration-form-missing-title-company
            _entry(
                "registration-required-fields-040014",
                "FAILURE",
                "001 (40.8.0)",
                exception_id="040014",
                value="title,company",
            ),
            # anonymous-request: LstsummarySession with siteName only (the 40.2.0 sample)
            _entry("anonymous-lstsummarysession", "FAILURE", "001 (40.2.0)", exception_id="000015"),
            # anonymous-request: GetUserCard requires authorization
            _entry("user-card-auth", "FAILURE", "001 (40.9.0)"),
        )
    )
)


def predicted(spec: ApiSpec, behaviour: str, requires: tuple[str, ...] = (), **changes: Any) -> Expect:
    """The :data:`PREDICTED` outcome of ``behaviour`` with ``requires`` (and ``changes``) if ``spec``
    has the behaviour; :func:`undocumented` otherwise."""
    if behaviour not in spec.behaviours:
        return undocumented(requires)
    entry = PREDICTED[behaviour]
    # a fresh normalised dict: no Expect shares the table's
    merged: dict[str, Any] = {"normalised": dict(entry.normalised), "requires": requires, **changes}
    return replace(entry, **merged)
