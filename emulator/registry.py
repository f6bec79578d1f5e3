"""All sites of one emulator process: :class:`Registry` routes a request to its site, creates and
drops sites, and resets everything at once.

Stands on :mod:`emulator.model` (the :class:`~emulator.model.Site` it keeps) and the standard library.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections.abc import Callable

from webex_harness.emulator.model import Site
from webex_harness.webex.settings import SiteSettings

#: Sites created through the control API; creating one more drops the created site idle longest
#: (docs/performance.md, "Bounded state").
MAX_SITES = 1_000


class Registry:
    """All sites of one emulator process, and the one reset for everything.

    ``prepare_default`` is called with the default site under the lock after it is made, again after
    every reset (``create_app`` passes one that makes it busy, :func:`emulator.busy.make_busy`).
    :attr:`requests` counts every HTTP request outside the control API the app answered (it is
    kept across resets: the process's count)."""

    def __init__(
        self,
        default_site: str = "harness",
        default_settings: SiteSettings | None = None,
        prepare_default: Callable[[Site], object] | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.default_name = default_site
        self.default_settings = default_settings or SiteSettings()
        self.prepare_default = prepare_default
        self.sites: dict[str, Site] = {}
        #: siteID and REST token -> site, so routing a request never walks the sites
        self._by_id: dict[str, Site] = {}
        self._by_token: dict[str, Site] = {}
        #: XML and REST requests answered since the process started (a reset keeps it)
        self.requests = 0
        self._counter = itertools.count(1)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.sites.clear()
            self._by_id.clear()
            self._by_token.clear()
            self.default = Site(self.default_name, self.default_settings, default=True, rest_token="emulator-token")
            self._add(self.default_name, self.default)
            if self.prepare_default is not None:
                self.prepare_default(self.default)

    def _add(self, name: str, site: Site) -> None:
        """Register ``site``; the first site with a given siteID or REST token keeps answering to it."""
        self.sites[name.lower()] = site
        self._by_id.setdefault(site.site_id, site)
        self._by_token.setdefault(site.rest_token, site)

    def _drop_idlest(self) -> None:
        """Forget the created site no request has reached for the longest (never the default site)."""
        created = [s for s in self.sites.values() if not s.default]
        if not created:
            return
        idlest = min(created, key=lambda s: s.last_used)
        del self.sites[idlest.name.lower()]
        for index, value in ((self._by_id, idlest.site_id), (self._by_token, idlest.rest_token)):
            if index.get(value) is idlest:
                del index[value]
                heir = next(
                    (s for s in self.sites.values() if (s.site_id if index is self._by_id else s.rest_token) == value),
                    None,
                )
                if heir is not None:
                    index[value] = heir

    def create_site(self, name: str | None, settings: SiteSettings) -> Site:
        """A new site; past :data:`MAX_SITES` created sites the one idle longest is dropped."""
        with self.lock:
            if not name:
                name = f"site{next(self._counter)}-{secrets.token_hex(3)}"
            if name.lower() in self.sites:
                raise KeyError(f"site {name!r} already exists")
            while len(self.sites) - 1 >= MAX_SITES:
                self._drop_idlest()
            site = Site(name, settings)
            self._add(name, site)
            return site

    def get(self, name: str | None) -> Site | None:
        return self.sites.get(name.lower()) if name else None

    def route(self, site_name: str | None, site_id: str | None) -> Site:
        """The site a request names (by siteName or siteID), else the default site."""
        site = self.get(site_name)
        if site is None and site_id:
            site = self._by_id.get(site_id)
        if site is None:
            site = self.default
        site.last_used = time.monotonic()
        return site

    @staticmethod
    def hold(site: Site, seconds: float) -> None:
        """``site``'s client was told to come back in ``seconds`` (a 429's or a 503's Retry-After): the site
        counts as used until then, so :meth:`create_site` never drops it as idle while its client waits."""
        site.last_used = max(site.last_used, time.monotonic() + seconds)

    def by_token(self, token: str) -> Site | None:
        site = self._by_token.get(token)
        if site is not None:
            site.last_used = time.monotonic()
        return site
