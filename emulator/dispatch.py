"""Routing of bodyContents to service handlers, by the API named in ``xsi:type``.

Each service module registers its handlers with :func:`handler`; the app calls :func:`answer`
for every bodyContent. Handlers take a :class:`Call` and return the response elements; they
raise :class:`webex.errors.WebexError` for a FAILURE.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from webex_harness.emulator import element_order, release_play, usage_limit, write_guard
from webex_harness.emulator.model import Site, User
from webex_harness.emulator.xmlio import Answer, BodyContent, Elements, Node
from webex_harness.webex.errors import WebexError, access_denied, webex_error
from webex_harness.webex.namespaces import SERVICE_PREFIX


class HttpStatusError(Exception):
    """Abort the whole request with a bare HTTP status (the 403 usage-limit block)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(slots=True)
class Call:
    """One bodyContent being answered: the site, the caller (None when anonymous), the body."""

    site: Site
    caller: User | None
    node: Node
    api: str
    headers: Mapping[str, str]

    def now(self) -> datetime:
        return self.site.now()

    def fault(self, fault: str) -> bool:
        """True when ``fault`` (a declared :class:`emulator.faults.Fault`) is on for the site."""
        return self.site.fault(fault)

    def user(self) -> User:
        """The authenticated caller, or FAILURE 000001 for an anonymous request."""
        if self.caller is None:
            raise access_denied()
        return self.caller


Handler = Callable[[Call], Elements]


@dataclass(slots=True, frozen=True)
class Route:
    service: str
    api: str
    response_type: str
    fn: Handler
    #: the API may store something: its requests are marked for :mod:`emulator.write_guard`
    writes: bool = True


ROUTES: dict[str, Route] = {}


def response_type_for(service: str, api: str) -> str:
    prefix = SERVICE_PREFIX.get(service, service)
    return f"{prefix}:{api[0].lower()}{api[1:]}Response"


def handler(service: str, api: str, response_type: str | None = None) -> Callable[[Handler], Handler]:
    """Register ``fn`` as the handler of ``api`` (``response_type`` defaults to the usual form)."""

    def register(fn: Handler) -> Handler:
        shape = response_type or response_type_for(service, api)
        ROUTES[api.lower()] = Route(service, api, shape, fn, write_guard.writes(api))
        return fn

    return register


def answer(site: Site, caller: User | None, body: BodyContent, headers: Mapping[str, str]) -> Answer:
    route = ROUTES.get(body.api.lower())
    if route is None:
        return Answer(error=webex_error("999998", body.api or "(none)"))
    version = site.settings.api_version  # the release the site plays (emulator.release_play)
    refused = release_play.refusal(version, route.api, body.node)
    if refused is not None:
        return Answer(error=refused)
    if usage_limit.blocks(site, caller, route.api):  # usage-limit-403 (001, 40.4.5, 40.8.0)
        raise HttpStatusError(usage_limit.BLOCKED_STATUS, usage_limit.BLOCKED_BODY)
    mark = write_guard.mark(site) if route.writes else None
    try:
        elements = route.fn(Call(site, caller, body.node, route.api, headers))
    except WebexError as err:
        if mark is not None:  # a failed answer never follows a completed write (emulator.write_guard)
            write_guard.undo_additions(site, mark)
        usage_limit.record(site, caller, route.api, err.exception_id)
        return Answer(error=err)
    except HttpStatusError:
        raise
    except Exception as exc:  # what no rule foresaw: a FAILURE, never a traceback or a half-done write
        if mark is not None:
            write_guard.undo_additions(site, mark)
        return Answer(error=write_guard.unexpected(route.api, exc))
    elements = release_play.trim(version, route.api, elements)
    if site.fault(element_order.RESPONSE_ELEMENT_ORDER):
        elements = element_order.reorder(route.api, elements)
    return Answer(route.response_type, elements)
