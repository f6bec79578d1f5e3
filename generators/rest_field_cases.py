"""Edge cases of the REST meetings body (003 "Update a Meeting") that :func:`generators.rest.rest_edge_cases`
adds to its limits and windows: fields that only apply together, null tags, value types, the
webinar-only options, connect-audio-before-host, password complexity, ``sendEmail``'s type and the
registration form. :func:`case` is the shape every REST edge case has. Limits come from the
``rest:`` part of ``catalogue.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from webex_harness.generators.catalogue import rest_catalogue

__all__ = ["case", "coupling_cases", "option_cases"]


def _limits() -> dict[str, Any]:
    return dict(rest_catalogue().limits)


def case(
    case_id: str,
    body: dict[str, Any],
    status: int,
    note: str,
    behaviour: str | None,
    expect_fields: dict[str, Any] | None = None,
    source: str = "003",
) -> dict[str, Any]:
    case: dict[str, Any] = {
        "id": case_id,
        "method": "PATCH",
        "body": body,
        "expect_status": status,
        "note": note,
        "behaviour": behaviour,
        "source": source,
    }
    if expect_fields:
        case["expect_fields"] = expect_fields
    return case


def coupling_cases(with_: Callable[..., dict[str, Any]]) -> list[dict[str, Any]]:
    """Edge cases of fields that only apply together, null tags and value types (003)."""
    return [
        case(
            "jbh-minutes-without-join-before-host",
            with_(enabledJoinBeforeHost=False, enableConnectAudioBeforeHost=False, joinBeforeHostMinutes=10),
            400,
            "joinBeforeHostMinutes only applies with enabledJoinBeforeHost.",
            "rest-join-before-host-minutes",
        ),
        case(
            "watermark-opacity-without-watermark",
            with_(enabledVisualWatermark=False, visualWatermarkOpacity=40),
            400,
            "visualWatermarkOpacity is only supported when enabledVisualWatermark is true.",
            "rest-watermark-opacity",
        ),
        case(
            "integration-tags-null",
            with_(integrationTags=None),
            200,
            "null deletes every tag.",
            "rest-integration-tags",
            {"integrationTags": []},
        ),
        case(
            "recurrence-until-far-future",
            with_(recurrence="FREQ=DAILY;INTERVAL=1;UNTIL=21241001T000000Z"),
            200,
            "A distant UNTIL is accepted (and capped at five years).",
            "rest-recurrence-caps",
        ),
        case(
            "title-not-a-string",
            with_(title=128),
            400,
            "A number where a string belongs: 400 with a message.",
            "rest-status-codes",
            source="003 (400: the request was invalid)",
        ),
    ]


def option_cases(with_: Callable[..., dict[str, Any]], base: dict[str, Any]) -> list[dict[str, Any]]:
    """Edge cases of the webinar-only options, connect-audio-before-host, password complexity,
    ``sendEmail``'s type and the registration form (003), on a meeting's update body."""
    limits = _limits()
    min_length = limits["password_min_length"]
    low, high = limits["registration_max_length"]
    audio = base["audioConnectionOptions"]

    def question(max_length: int) -> dict[str, Any]:
        form = {"customizedQuestions": [{"question": "Team?", "type": "singleLineTextBox", "maxLength": max_length}]}
        return with_(registration=form)

    return [
        case(
            "polling-true-for-a-meeting",
            with_(meetingOptions={**base["meetingOptions"], "enabledPolling": True}),
            400,
            "enabledPolling can only be set true for a webinar.",
            "rest-webinar-only-options",
        ),
        case(
            "audience-callback-true-for-a-meeting",
            with_(audioConnectionOptions={**audio, "enabledAudienceCallBack": True}),
            400,
            "enabledAudienceCallBack can only be set true for a webinar.",
            "rest-webinar-only-options",
        ),
        case(
            "connect-audio-without-join-before-host",
            with_(enabledJoinBeforeHost=False, joinBeforeHostMinutes=0, enableConnectAudioBeforeHost=True),
            400,
            "enableConnectAudioBeforeHost only applies with enabledJoinBeforeHost.",
            "rest-connect-audio-before-host",
        ),
        case(
            "connect-audio-with-join-before-host",
            with_(enabledJoinBeforeHost=True, enableConnectAudioBeforeHost=True),
            200,
            "enableConnectAudioBeforeHost with enabledJoinBeforeHost.",
            "rest-connect-audio-before-host",
            {"enableConnectAudioBeforeHost": True},
        ),
        case(
            f"password-{min_length}-characters",
            with_(password="Ab3" + "c" * (min_length - 3)),
            200,
            "The shortest password the site's criteria allow.",
            "rest-password-complexity",
            {"password": "Ab3" + "c" * (min_length - 3)},
        ),
        case(
            f"password-{min_length - 1}-characters",
            with_(password="Ab3" + "c" * (min_length - 4)),
            400,
            "One character shorter than the site's minimum.",
            "rest-password-complexity",
        ),
        case(
            "password-letters-only",
            with_(password="abcdefghijk"),
            400,
            "No digit and no upper case.",
            "rest-password-complexity",
        ),
        case(
            "send-email-string",
            with_(sendEmail="true"),
            400,
            "sendEmail is a boolean.",
            "rest-send-email-type",
        ),
        case(
            f"registration-max-length-{high}",
            question(high),
            200,
            f"A text question's maxLength of {high}.",
            "rest-registration-form",
        ),
        case(
            f"registration-max-length-{high + 1}",
            question(high + 1),
            400,
            f"maxLength ranges from {low} to {high}.",
            "rest-registration-form",
        ),
    ]
