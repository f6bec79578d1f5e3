"""The secrets of created objects the run's secret set learns and masks before an allure attachment is
written: host keys, panelist passwords, ``meetingPW``, REST passwords set by PATCH or shown by any
answer, a REST meeting's join link token — and a host key (digits) is not masked inside a longer number.

(The whole path, from a create to the allure results folder, is tests/test_allure_results.py.)
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from webex_harness.client.journal import Ledger
from webex_harness.client.ledger_hooks import LedgerHooks
from webex_harness.client.rest_client import RestClient
from webex_harness.client.xml_client import XmlClient
from webex_harness.webex.envelope import Security
from webex_harness.webex.masking import MASK, SecretSet, mask

REST = "https://rest.example/v1"


def test_object_secret_elements_and_fields_are_masked_by_name() -> None:
    xml = (
        "<meet:hostKey>123456</meet:hostKey><event:panelistPassword>Pan3list</event:panelistPassword>"
        "<meetingPW>Wxh4Pass7</meetingPW><meet:confName>kept</meet:confName>"
    )
    assert mask(xml) == (
        f"<meet:hostKey>{MASK}</meet:hostKey><event:panelistPassword>{MASK}</event:panelistPassword>"
        f"<meetingPW>{MASK}</meetingPW><meet:confName>kept</meet:confName>"
    )
    body = json.dumps(
        {
            "hostKey": "123456",
            "panelistPassword": "Panel1st2Pass",
            "phoneAndVideoSystemPanelistPassword": "12345678",
            "phoneAndVideoSystemPassword": "87654321",
            "password": "P@ssword789",
            "title": "kept",
        },
        indent=2,
    )
    masked = json.loads(mask(body))
    assert masked == {k: (MASK if k != "title" else "kept") for k in masked}


def test_a_secret_of_digits_is_masked_where_it_stands_alone_only() -> None:
    secrets = SecretSet()
    secrets.add("123456")
    assert secrets.mask('{"key": "123456"}', patterns=False) == f'{{"key": "{MASK}"}}'
    assert secrets.mask("host key 123456.", patterns=False) == f"host key {MASK}."
    assert secrets.mask("PW=123456&x", patterns=False) == f"PW={MASK}&x"
    assert secrets.mask("meeting 98123456701 at 1712345678", patterns=False) == "meeting 98123456701 at 1712345678"
    assert secrets.mask("abc123456", patterns=False) == f"abc{MASK}"  # letters are not part of a number
    secrets.add("Gu3stTokenAbc")
    assert secrets.mask("MTID=mGu3stTokenAbc", patterns=False) == f"MTID=m{MASK}"


def test_the_guest_token_of_a_join_link_in_an_xml_answer_is_learnt(tmp_path: Path) -> None:
    answer = (
        '<?xml version="1.0" encoding="UTF-8"?><serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service"'
        ' xmlns:ep="http://www.webex.com/schemas/2002/06/service/ep"><serv:header><serv:response>'
        "<serv:result>SUCCESS</serv:result></serv:response></serv:header><serv:body><serv:bodyContent>"
        "<ep:meetingLink>https://acme.webex.com/acme/j.php?MTID=m5e1f0a4c9b</ep:meetingLink>"
        "</serv:bodyContent></serv:body></serv:message>"
    )
    secrets = SecretSet()
    hooks = LedgerHooks(Ledger("r", tmp_path / "ledger-r.jsonl"), secrets=secrets)
    http = hooks.install(httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, text=answer))))
    client = XmlClient(
        "https://acme.webex.com/WBXService/XMLService", Security("acme", "host", "pw"), http=http, secrets=secrets
    )
    client.call("ep", "GetSessionInfo", {"sessionKey": "123"})
    assert "m5e1f0a4c9b" in secrets.values()
    assert client.last is not None and "MTID=********" in client.last.response


def test_get_session_info_host_key_and_session_password_are_learnt_and_masked(tmp_path: Path) -> None:
    """What GetSessionInfo answers the meeting's host: ``ep:hostKey`` and ``ep:accessControl/ep:sessionPassword``
    are masked in the answer and learnt, so a later echo elsewhere (here, a description) is masked too."""
    answers = iter(
        [
            "<ep:accessControl><ep:sessionPassword>Wxh9Sess</ep:sessionPassword><ep:listStatus>PUBLIC"
            "</ep:listStatus></ep:accessControl><ep:host><ep:webExId>host</ep:webExId></ep:host>"
            "<ep:hostKey>482915</ep:hostKey><ep:isAllowJBH>false</ep:isAllowJBH>",
            "<ep:description>dial 482915 with Wxh9Sess</ep:description>",
        ]
    )

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            text='<?xml version="1.0" encoding="UTF-8"?><serv:message'
            ' xmlns:serv="http://www.webex.com/schemas/2002/06/service"'
            ' xmlns:ep="http://www.webex.com/schemas/2002/06/service/ep"><serv:header><serv:response>'
            "<serv:result>SUCCESS</serv:result></serv:response></serv:header><serv:body><serv:bodyContent>"
            f"{next(answers)}</serv:bodyContent></serv:body></serv:message>",
        )

    secrets = SecretSet()
    hooks = LedgerHooks(Ledger("r", tmp_path / "ledger-r.jsonl"), secrets=secrets)
    http = hooks.install(httpx.Client(transport=httpx.MockTransport(answer)))
    client = XmlClient(
        "https://acme.webex.com/WBXService/XMLService", Security("acme", "host", "pw"), http=http, secrets=secrets
    )
    client.call("ep", "GetSessionInfo", {"sessionKey": "123"})
    assert {"482915", "Wxh9Sess"} <= set(secrets.values())
    assert client.last is not None
    assert "482915" not in client.last.response and "Wxh9Sess" not in client.last.response
    assert "<ep:isAllowJBH>false</ep:isAllowJBH>" in client.last.response
    client.call("ep", "GetSessionInfo", {"sessionKey": "123"})
    assert "482915" not in client.last.response and "Wxh9Sess" not in client.last.response


def _hooked(tmp_path: Path, handler: httpx.MockTransport) -> tuple[RestClient, SecretSet]:
    secrets = SecretSet()
    hooks = LedgerHooks(Ledger("r", tmp_path / "ledger-r.jsonl"), rest_url=REST, secrets=secrets)
    http = hooks.install(httpx.Client(transport=handler))
    return RestClient(REST, "tok-abcdef", http=http, secrets=secrets), secrets


def test_rest_passwords_set_by_patch_and_shown_by_any_answer_are_learnt(tmp_path: Path) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH":
            sent = json.loads(request.content)
            return httpx.Response(200, json={"id": "m1", "password": sent["password"], "title": "t"})
        link = "https://acme.webex.com/acme/j.php?MTID=m0f3a9c2b7d"
        return httpx.Response(
            200,
            json={"items": [{"id": "m2", "hostKey": "654321", "panelistPassword": "ListedPan3l", "webLink": link}]},
        )

    client, secrets = _hooked(tmp_path, httpx.MockTransport(answer))
    assert client.update("m1", {"password": "Chang3dPass7"}).status == 200
    assert client.list_meetings().status == 200
    learnt = set(secrets.values())
    assert {"Chang3dPass7", "654321", "ListedPan3l", "m0f3a9c2b7d"} <= learnt  # the join link's guest token
    assert (
        client.last is not None and "654321" not in client.last.response and "ListedPan3l" not in (client.last.response)
    )
