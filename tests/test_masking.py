"""``webex.masking``: no credential reaches a report, a log or an attachment."""

from __future__ import annotations

import json

import pytest

from webex_harness.webex.envelope import Security, build_request
from webex_harness.webex.masking import MASK, SecretSet, mask, mask_bytes


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("<password>S3cret!pw</password>", "S3cret!pw"),
        ("<serv:password>S3cret!pw</serv:password>", "S3cret!pw"),
        ("<com:password>S3cret!pw</com:password>", "S3cret!pw"),
        ("<PASSWORD>S3cret!pw</PASSWORD>", "S3cret!pw"),
        ('<password xml:space="preserve">S3cret!pw</password>', "S3cret!pw"),
        ("<password>a &amp; b &lt; c</password>", "a &amp; b"),
        ("<password><![CDATA[S3cret<pw]]></password>", "S3cret<pw"),
        ("<sessionTicket>ticket-abc-123</sessionTicket>", "ticket-abc-123"),
        ("<use:sessionTicket>ticket-abc-123</use:sessionTicket>", "ticket-abc-123"),
        ("<webExAccessToken>tok-456</webExAccessToken>", "tok-456"),
        ("<serv:webExAccessToken>tok-456</serv:webExAccessToken>", "tok-456"),
        ("<accessToken>tok-789</accessToken>", "tok-789"),
        ("<JWTToken>jwt-000</JWTToken>", "jwt-000"),
        ("<meet:meetingPassword>Mtg-Pw-42</meet:meetingPassword>", "Mtg-Pw-42"),
        ("<event:eventPassword>Evt-Pw-42</event:eventPassword>", "Evt-Pw-42"),
        ("<train:sessionPassword>Trn-Pw-42</train:sessionPassword>", "Trn-Pw-42"),
        ("<meet:audioPassword>73920581</meet:audioPassword>", "73920581"),
        ("<meet:guestToken>9f86d081884c7d65</meet:guestToken>", "9f86d081884c7d65"),
    ],
)
def test_credential_element_text_is_masked(text: str, secret: str) -> None:
    out = mask(text)
    assert secret not in out
    assert MASK in out
    assert out.startswith(text[: text.index(">") + 1])


def test_every_credential_element_in_an_envelope_is_masked() -> None:
    raw = build_request(
        "user",
        "AuthenticateUser",
        {"password": "body-pw"},
        Security("acme", "host", "ctx-pw", session_ticket="ctx-ticket", access_token="ctx-token"),
    )
    out = mask_bytes(raw)
    for secret in ("body-pw", "ctx-pw", "ctx-ticket", "ctx-token"):
        assert secret not in out
    assert out.count(MASK) == 4
    assert "<siteName>acme</siteName><webExID>host</webExID>" in out


def test_empty_credential_element_stays_empty() -> None:
    assert mask("<password></password><password/>") == "<password></password><password/>"


def test_several_credential_elements_on_one_line_are_each_masked_and_the_rest_kept() -> None:
    out = mask("<password>one1</password><keep>visible</keep><sessionTicket>two2</sessionTicket>")
    assert out == f"<password>{MASK}</password><keep>visible</keep><sessionTicket>{MASK}</sessionTicket>"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer NzY0ZmQ4ZjMtYjk", "NzY0ZmQ4ZjMtYjk"),
        ("authorization: bearer NzY0ZmQ4ZjMtYjk", "NzY0ZmQ4ZjMtYjk"),
        ("Authorization:Bearer NzY0ZmQ4ZjMtYjk\r\nAccept: */*", "NzY0ZmQ4ZjMtYjk"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA"),
        ("Authorization: rawtoken123", "rawtoken123"),
        ("JWTToken: abc.def.ghi", "abc.def.ghi"),
        ("jwttoken=opaque-jwt-value", "opaque-jwt-value"),
        ('{"Authorization": "Bearer NzY0ZmQ4ZjMtYjk"}', "NzY0ZmQ4ZjMtYjk"),
        ("{'authorization': 'Bearer NzY0ZmQ4ZjMtYjk', 'accept': '*/*'}", "NzY0ZmQ4ZjMtYjk"),
        ('{"JWTToken": "opaque-jwt-value"}', "opaque-jwt-value"),
    ],
)
def test_authorization_and_jwt_token_header_values_are_masked(text: str, secret: str) -> None:
    out = mask(text)
    assert secret not in out
    assert MASK in out


def test_authorization_header_keeps_its_name_and_scheme() -> None:
    assert mask("Authorization: Bearer abc123") == f"Authorization: Bearer {MASK}"
    assert mask("Accept: */*\nAuthorization: Bearer abc123\nX-Trace: 7") == (
        f"Accept: */*\nAuthorization: Bearer {MASK}\nX-Trace: 7"
    )


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "token",
        "access_token",
        "rest_token",
        "jwt_token",
        "Password",
        "sessionTicket",
        "webExAccessToken",
        "accessToken",
    ],
)
def test_json_credential_fields_are_masked(key: str) -> None:
    text = json.dumps({key: "json-secret-1", "name": "kept"})
    out = mask(text)
    assert "json-secret-1" not in out
    assert json.loads(out) == {key: MASK, "name": "kept"}


def test_control_api_answer_with_users_and_rest_token_is_masked() -> None:
    answer = json.dumps(
        {
            "name": "site1",
            "rest_token": "f00dbabe" * 6,
            "users": [{"webExID": "host", "password": "UzXJuzUD428"}, {"webExID": "admin", "password": "AbCdEfGh123"}],
        },
        indent=2,
    )
    out = mask(answer)
    for secret in ("f00dbabe", "UzXJuzUD428", "AbCdEfGh123"):
        assert secret not in out
    assert '"webExID": "host"' in out


def test_jwt_looking_strings_are_masked_anywhere() -> None:
    jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    for text in (f"token={jwt}&x=1", f"<guestToken>{jwt}</guestToken>", f"saw {jwt} in the log"):
        out = mask(text)
        assert jwt not in out
        assert "eyJ" not in out
        assert MASK in out


@pytest.mark.parametrize(
    "where",
    [
        "https://acme.webex.com/acme/j.php?PW={s}&x=1",
        "<confName>meeting {s}</confName>",
        "error: user host with password {s} rejected",
        '{{"note": "{s}"}}',
        "{s}",
    ],
)
def test_literal_secrets_are_masked_wherever_they_occur(where: str) -> None:
    text = where.format(s="Literal-S3cret")
    out = mask(text, ["Literal-S3cret"])
    assert "Literal-S3cret" not in out
    assert MASK in out


def test_longer_literal_secret_is_masked_before_its_prefix() -> None:
    out = mask("a=abcdef b=abc", ["abc", "abcdef"])
    assert out == f"a={MASK} b={MASK}"


def test_short_or_empty_literal_secrets_are_ignored() -> None:
    assert mask("a b c ab", ["", "a", "ab"]) == "a b c ab"


def test_mask_bytes_decodes_utf8_and_survives_bad_bytes() -> None:
    out = mask_bytes("<password>pé</password><confName>Réunion</confName>".encode() + b"\xff", ["nothing"])
    assert "pé" not in out
    assert "Réunion" in out


@pytest.mark.parametrize(
    "text",
    [
        "<ep:passwordReq>true</ep:passwordReq>",
        "<meet:confName>Password policy review</meet:confName>",
        "<meet:meetingkey>805325231</meet:meetingkey>",
        '{"webExID": "host", "email": "host@example.com", "tokens_used": 3}',
        "The authorization step failed: see logs.",
        "Content-Type: text/xml;charset=UTF-8",
        "eyJ is how a JWT starts",
        "",
    ],
)
def test_non_secret_text_is_untouched(text: str) -> None:
    assert mask(text) == text


# ---------------------------------------------------------------- the run's secret set


def test_secret_set_masks_a_token_shaped_secret_wherever_it_occurs() -> None:
    secrets = SecretSet()
    secrets.add("9f86d081884c7d65")
    for text, masked in [
        ("guest 9f86d081884c7d65.", f"guest {MASK}."),
        (
            "<confName>wxh-20261203-141500-beef-m-9f86d081884c7d65</confName>",
            f"<confName>wxh-20261203-141500-beef-m-{MASK}</confName>",
        ),
        ("x_9f86d081884c7d65_y and 9f86d081884c7d65-z", f"x_{MASK}_y and {MASK}-z"),
        ("j.php?MTID=m9f86d081884c7d65&x=9f86d081884c7d65", f"j.php?MTID=m{MASK}&x={MASK}"),
        ("9f86d081884c7d659f86d081884c7d65", MASK * 2),
        ("9f86d081884c7d6", "9f86d081884c7d6"),
    ]:
        assert secrets.mask(text) == masked


def test_secret_set_masks_the_longest_secret_first_and_secrets_that_hold_a_dash() -> None:
    secrets = SecretSet()
    secrets.update(["abc-defghi", "defghi"])
    assert secrets.mask("n-abc-defghi-x defghi") == f"n-{MASK}-x {MASK}"


def test_secret_set_masks_what_it_learns_later_and_a_callers_own_secrets() -> None:
    secrets = SecretSet(["decl"])
    text = "decl sees Learnt-Later-99 with own pw1"
    assert secrets.mask(text) == f"{MASK} sees Learnt-Later-99 with own pw1"
    secrets.add("Learnt-Later-99")
    assert secrets.mask(text, also=["pw1"]) == f"{MASK} sees {MASK} with own {MASK}"
    assert secrets.values() == ["Learnt-Later-99", "decl"]  # "pw1" was this call's only


def test_secret_set_without_patterns_masks_only_its_secrets() -> None:
    secrets = SecretSet(["Hidd3n-pw"])
    assert secrets.mask("<password>other</password> Hidd3n-pw", patterns=False) == f"<password>other</password> {MASK}"
