"""Locustfile of ``bench/locust_overhead.py``: the baseline a hand-written script would be.

A bare ``FastHttpUser`` that POSTs one fixed GetSessionInfo envelope and parses every answer with
lxml, checking ``serv:result`` — no configuration, no budget, no clean-up, no think time. The
envelope and the URL come from ``WEBEX_HARNESS_BENCH_ENVELOPE`` (a file) and
``WEBEX_HARNESS_XML_URL``.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from locust import FastHttpUser, constant, task
from lxml import etree

_ENVELOPE = Path(os.environ["WEBEX_HARNESS_BENCH_ENVELOPE"]).read_bytes()
_PATH = urlsplit(os.environ["WEBEX_HARNESS_XML_URL"]).path
_HEADERS = {"Content-Type": "text/xml; charset=UTF-8"}
_RESULT = "{http://www.webex.com/schemas/2002/06/service}result"


class BaselineUser(FastHttpUser):
    """POST and parse, nothing else."""

    wait_time = constant(0)

    @task
    def get_session_info(self) -> None:
        with self.client.post(
            _PATH, data=_ENVELOPE, headers=_HEADERS, name="GetSessionInfo", catch_response=True
        ) as response:
            try:
                root = etree.fromstring(response.content or b"")
            except etree.XMLSyntaxError as exc:
                response.failure(f"not XML: {exc}")
                return
            result = root.find(f".//{_RESULT}")
            if result is None or (result.text or "").strip() != "SUCCESS":
                response.failure("not a SUCCESS envelope")
