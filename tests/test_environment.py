"""Tests of ``environment.loader``: the environment-file loader and its one error type."""

from __future__ import annotations

import socket
import textwrap
from pathlib import Path

import pytest

from webex_harness.environment.errors import EnvironmentFileError
from webex_harness.environment.loader import (
    check_reachable,
    environment_from_mapping,
    load_environment,
    resolve_environment_path,
)
from webex_harness.environment.model import DEFAULT_ENVIRONMENT, ENVIRONMENTS_DIR, Environment, LoadSettings
from webex_harness.environment.text import interpolate
from webex_harness.webex.envelope import Security
from webex_harness.webex.settings import SiteSettings

SITE_VARS = {
    "WEBEX_SITE": "acme",
    "WEBEX_USER": "qa-host",
    "WEBEX_PASSWORD": "s3cret-pass",
    "WEBEX_REST_TOKEN": "s3cret-token",
}

MINIMAL = """\
target: emulator
site_name: harness
credentials:
  webExID: host
  password: pw
"""


def write(tmp_path: Path, text: str, name: str = "env.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_error(path: Path, env: dict[str, str] | None = None) -> EnvironmentFileError:
    with pytest.raises(EnvironmentFileError) as info:
        load_environment(path, env or {})
    message = str(info.value)
    assert "\n" not in message, message
    assert message.startswith(f"{path}: {info.value.key}: "), message
    return info.value


def with_section(section: str) -> str:
    return MINIMAL + textwrap.dedent(section)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# --------------------------------------------------------------------------------------------
# The shipped files


def test_default_environment_is_the_shipped_emulator_file() -> None:
    assert DEFAULT_ENVIRONMENT == ENVIRONMENTS_DIR / "emulator.yaml"
    assert DEFAULT_ENVIRONMENT.is_file()


def test_emulator_file_loads_with_no_variables_set() -> None:
    env = load_environment(DEFAULT_ENVIRONMENT, {})
    assert env.name == "emulator"
    assert env.is_emulator
    assert (env.xml_url, env.rest_url) == ("auto", "auto")
    assert env.needs_urls
    assert env.site_name == "harness"
    assert env.credentials.webex_id == "host"
    assert env.credentials.password == "emulator-pass"
    assert env.credentials.rest_token == "emulator-token"
    assert env.credentials.jwt_token is None
    assert env.allow.destructive and env.allow.lockout
    assert env.budget.max_requests == 60000
    assert env.budget.max_seconds == 1800
    assert env.probe_user is None


def test_emulator_file_lists_every_site_setting_at_its_default_except_the_rest_rate_limit() -> None:
    import yaml

    raw = yaml.safe_load(DEFAULT_ENVIRONMENT.read_text(encoding="utf-8"))
    assert list(raw["settings"]) == SiteSettings.names()
    # The default site never throttles REST load (0 = off); sites the contract tests create keep the default.
    expected = SiteSettings().updated({"rest_rate_limit_per_minute": 0})
    assert load_environment(DEFAULT_ENVIRONMENT, {}).settings == expected


def test_emulator_file_credentials_follow_the_variables() -> None:
    env = load_environment(DEFAULT_ENVIRONMENT, {"WEBEX_USER": "alice", "WEBEX_PASSWORD": "pw2"})
    assert env.credentials.webex_id == "alice"
    assert env.credentials.password == "pw2"
    assert env.credentials.rest_token == "emulator-token"


def test_site_example_loads_with_the_variables_provided() -> None:
    env = load_environment(ENVIRONMENTS_DIR / "site.example.yaml", SITE_VARS)
    assert env.name == "site.example"
    assert env.target == "site"
    assert not env.is_emulator
    assert env.xml_url == "https://acme.webex.com/WBXService/XMLService"
    assert env.rest_url == "https://webexapis.com/v1"
    assert env.site_name == "acme"
    assert env.credentials.webex_id == "qa-host"
    assert env.credentials.secrets() == ["s3cret-pass", "s3cret-token"]
    assert not env.allow.destructive and not env.allow.lockout
    assert (env.budget.max_requests, env.budget.max_seconds) == (1000, 900)
    assert env.probe_user is None


def test_site_example_without_variables_names_the_first_missing_one() -> None:
    error = load_error(ENVIRONMENTS_DIR / "site.example.yaml")
    assert error.key == "xml_url"
    assert "WEBEX_SITE is not set" in str(error)


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        (None, DEFAULT_ENVIRONMENT),
        ("emulator", ENVIRONMENTS_DIR / "emulator.yaml"),
        ("site.example", ENVIRONMENTS_DIR / "site.example.yaml"),
        ("environments/my-site.yaml", Path("environments/my-site.yaml")),
        ("my-site.yml", Path("my-site.yml")),
        ("/tmp/x/site", Path("/tmp/x/site")),
    ],
)
def test_a_name_means_a_shipped_environment_in_a_folder_without_its_own(
    argument: str | None, expected: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_environment_path(argument) == tmp_path / expected


def test_the_working_folders_environments_come_before_the_shipped_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "environments").mkdir()
    own = tmp_path / "environments" / "emulator.yaml"
    own.write_text("target: emulator\n", encoding="utf-8")
    assert resolve_environment_path(None) == own
    assert resolve_environment_path("emulator") == own
    assert resolve_environment_path("site.example") == ENVIRONMENTS_DIR / "site.example.yaml"


def test_an_environment_name_found_nowhere_names_both_places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(EnvironmentFileError) as info:
        load_environment(resolve_environment_path("stagng"), {})
    error = info.value
    assert str(error).startswith("environments/stagng.yaml: (file): file not found (nor a shipped environment")
    assert "emulator, site.example" in str(error)


# --------------------------------------------------------------------------------------------
# Interpolation


def test_interpolate_uses_values_defaults_and_literal_escapes() -> None:
    env = {"HOST": "acme", "EMPTY": ""}
    assert interpolate("https://${HOST}/x/${HOST}", env, path="f", key="k") == "https://acme/x/acme"
    assert interpolate("${MISSING:-fallback}", env, path="f", key="k") == "fallback"
    assert interpolate("${EMPTY:-fallback}", env, path="f", key="k") == "fallback"
    assert interpolate("${EMPTY}", env, path="f", key="k") == ""
    assert interpolate("${MISSING:-}", env, path="f", key="k") == ""
    assert interpolate("pa$${HOST}ss", env, path="f", key="k") == "pa${HOST}ss"
    assert interpolate("$HOST and $5", env, path="f", key="k") == "$HOST and $5"


def test_interpolate_does_not_reinterpolate_substituted_values() -> None:
    assert interpolate("${A}", {"A": "${B}"}, path="f", key="k") == "${B}"


@pytest.mark.parametrize("text", ["${1ABC}", "${A B}", "${}", "x${UNCLOSED", "${A:-${B}}"])
def test_interpolate_rejects_malformed_placeholders(text: str) -> None:
    with pytest.raises(EnvironmentFileError) as info:
        interpolate(text, {"A": "a", "B": "b"}, path="f.yaml", key="site_name")
    assert info.value.key == "site_name"
    assert "placeholder" in info.value.problem
    assert "\n" not in str(info.value)


def test_missing_variable_names_file_key_and_variable(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        target: emulator
        site_name: harness
        credentials:
          webExID: host
          password: ${WEBEX_PASSWORD}
        """,
        "x.yaml",
    )
    error = load_error(path)
    assert error.path == path
    assert error.key == "credentials.password"
    assert error.problem == "environment variable WEBEX_PASSWORD is not set"
    assert str(error) == f"{path}: credentials.password: environment variable WEBEX_PASSWORD is not set"


def test_placeholders_inside_load_are_interpolated(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        with_section(
            """\
            load:
              mix: {calls: 3, rest: 1}
              shape: "${SHAPE:-spike}"
              compare: {max_rps_drop: "${DROP}", max_p95_increase: 25%}
            """
        ),
    )
    env = load_environment(path, {"DROP": "15%"})
    assert (env.load.mix, env.load.shape) == ({"calls": 3, "rest": 1}, "spike")
    assert (env.load.compare.max_rps_drop, env.load.compare.max_p95_increase) == (0.15, 0.25)
    error = load_error(path)
    assert error.key == "load.compare.max_rps_drop"
    assert "DROP" in error.problem


# --------------------------------------------------------------------------------------------
# Defaults and the minimal file


def test_minimal_file_takes_every_default(tmp_path: Path) -> None:
    env = load_environment(write(tmp_path, MINIMAL, "mini.yaml"), {})
    assert env.name == "mini"
    assert env.path == tmp_path / "mini.yaml"
    assert (env.xml_url, env.rest_url) == ("auto", "auto")
    assert env.settings == SiteSettings()
    assert (env.allow.destructive, env.allow.lockout) == (False, False)
    assert (env.budget.max_requests, env.budget.max_seconds) == (5000, 1800.0)
    assert env.probe_user is None
    assert env.load == LoadSettings()
    assert env.cleanup_prefix == "wxh"
    assert env.credentials.rest_token is None


def test_empty_optional_sections_take_the_defaults(tmp_path: Path) -> None:
    env = load_environment(write(tmp_path, with_section("settings:\nallow:\nbudget:\nload:\n")), {})
    assert env.settings == SiteSettings()
    assert env.budget.max_requests == 5000


def test_declared_settings_override_only_their_keys(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        with_section(
            """\
            settings:
              password_required: false
              body_content_limit: 3
              private_meeting_types: [169, 170]
            """
        ),
    )
    settings = load_environment(path, {}).settings
    assert settings.password_required is False
    assert settings.body_content_limit == 3
    assert settings.private_meeting_types == [169, 170]
    assert settings.enable_display_name is SiteSettings().enable_display_name


def test_explicit_name_and_urls_are_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        with_section(
            """\
            name: local
            xml_url: http://127.0.0.1:8080/WBXService/XMLService
            rest_url: http://127.0.0.1:8080/v1/
            """
        ),
    )
    env = load_environment(path, {})
    assert env.name == "local"
    assert env.xml_url == "http://127.0.0.1:8080/WBXService/XMLService"
    assert env.rest_url == "http://127.0.0.1:8080/v1"
    assert not env.needs_urls


# --------------------------------------------------------------------------------------------
# Unknown keys and wrong types


def test_unknown_top_level_key_is_named(tmp_path: Path) -> None:
    error = load_error(write(tmp_path, with_section("sitename: acme\n")))
    assert error.key == "sitename"
    assert error.problem.startswith("unknown key (known: name, target,")
    assert "did you mean 'site_name'?" in error.problem


def test_unknown_settings_key_is_named(tmp_path: Path) -> None:
    error = load_error(write(tmp_path, with_section("settings:\n  pasword_required: true\n")))
    assert error.key == "settings.pasword_required"
    assert "unknown key (known: password_required," in error.problem
    assert "did you mean 'password_required'?" in error.problem


@pytest.mark.parametrize(
    ("section", "key", "expected"),
    [
        ("probe_user: {webExID: p, password: q, pin: 1}\n", "probe_user.pin", "unknown key"),
        ("allow:\n  everything: true\n", "allow.everything", "unknown key"),
        ("budget:\n  max_request: 5\n", "budget.max_request", "did you mean 'max_requests'?"),
    ],
)
def test_unknown_keys_in_sections_are_named(tmp_path: Path, section: str, key: str, expected: str) -> None:
    error = load_error(write(tmp_path, with_section(section)))
    assert error.key == key
    assert expected in error.problem


@pytest.mark.parametrize(
    ("section", "key", "expected"),
    [
        ('settings:\n  password_required: "yes"\n', "settings.password_required", "expected a boolean"),
        ("settings:\n  password_required: yes\n", "settings.password_required", "got 'yes'"),
        ("settings:\n  password_required: 1\n", "settings.password_required", "expected a boolean"),
        ("settings:\n  body_content_limit: ten\n", "settings.body_content_limit", "expected an integer"),
        ("settings:\n  body_content_limit: true\n", "settings.body_content_limit", "got True"),
        ("settings:\n  private_meeting_types: 169\n", "settings.private_meeting_types", "list of integers"),
        ('settings:\n  private_meeting_types: [169, "x"]\n', "settings.private_meeting_types[1]", "got 'x'"),
        ("settings:\n  strict_auth: [true]\n", "settings.strict_auth", "got a list"),
        ("settings: [password_required]\n", "settings", "expected a mapping, got a list"),
        ("budget:\n  max_requests: ten\n", "budget.max_requests", "expected an integer, got 'ten'"),
        ("budget:\n  max_requests: 0\n", "budget.max_requests", "> 0"),
        ("budget:\n  max_requests: 2.5\n", "budget.max_requests", "expected an integer"),
        ("budget:\n  max_seconds: soon\n", "budget.max_seconds", "expected a number"),
        ("budget:\n  max_seconds: -1\n", "budget.max_seconds", "> 0"),
        ("allow:\n  destructive: 'true'\n", "allow.destructive", "expected a boolean"),
        ("allow:\n  lockout: on\n", "allow.lockout", "got 'on'"),
        ("load: [1, 2]\n", "load", "expected a mapping"),
        ("cleanup_prefix: 12\n", "cleanup_prefix", "expected a string"),
        ("cleanup_prefix: 'a b'\n", "cleanup_prefix", "letters, digits"),
        ("name: [a]\n", "name", "expected a string, got a list"),
        ("probe_user:\n  webExID: probe\n", "probe_user.password", "missing"),
    ],
)
def test_wrong_types_name_the_key_and_the_expected_type(tmp_path: Path, section: str, key: str, expected: str) -> None:
    error = load_error(write(tmp_path, with_section(section)))
    assert error.key == key
    assert expected in error.problem


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("target: cloud\nsite_name: x\ncredentials: {webExID: a, password: b}\n", "target", "'cloud'"),
        ("site_name: x\ncredentials: {webExID: a, password: b}\n", "target", "missing"),
        ("target: emulator\ncredentials: {webExID: a, password: b}\n", "site_name", "missing"),
        ("target: emulator\nsite_name: NO\n", "credentials", "missing"),
        ("target: emulator\nsite_name: x\ncredentials: {webExID: a}\n", "credentials.password", "missing"),
        ("target: emulator\nsite_name: x\ncredentials: {webExID: '', password: b}\n", "credentials.webExID", "empty"),
        ("target: emulator\nsite_name: x\ncredentials: pw\n", "credentials", "expected a mapping"),
        (
            "target: emulator\nsite_name: x\ncredentials: {webExID: a, password: b, user: c}\n",
            "credentials.user",
            "unknown key (known: webExID, password, rest_token, jwt_token)",
        ),
        ("- target: emulator\n", "(file)", "expected a mapping, got a list"),
        ("", "(file)", "empty"),
    ],
)
def test_required_keys_and_shapes_are_checked(tmp_path: Path, text: str, key: str, expected: str) -> None:
    error = load_error(write(tmp_path, text))
    assert error.key == key
    assert expected in error.problem


def test_secret_of_wrong_type_is_not_echoed(tmp_path: Path) -> None:
    text = "target: emulator\nsite_name: x\ncredentials: {webExID: a, password: 987654321}\n"
    error = load_error(write(tmp_path, text))
    assert error.key == "credentials.password"
    assert "expected a string, got int" in error.problem
    assert "987654321" not in str(error)


# --------------------------------------------------------------------------------------------
# URLs and secrets


@pytest.mark.parametrize("key", ["xml_url", "rest_url"])
def test_site_with_auto_url_is_rejected(tmp_path: Path, key: str) -> None:
    urls = {"xml_url": "https://acme.webex.com/WBXService/XMLService", "rest_url": "https://webexapis.com/v1"}
    urls[key] = "auto"
    text = (
        f"target: site\nxml_url: {urls['xml_url']}\nrest_url: {urls['rest_url']}\nsite_name: acme\n"
        "credentials: {webExID: '${WEBEX_USER}', password: '${WEBEX_PASSWORD}'}\n"
    )
    error = load_error(write(tmp_path, text), SITE_VARS)
    assert error.key == key
    assert "'auto' is only allowed for target 'emulator'" in error.problem


def test_site_without_urls_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "target: site\nsite_name: x\ncredentials: {webExID: a, password: '${P}'}\n")
    error = load_error(path, {"P": "p"})
    assert error.key == "xml_url"
    assert "required for target 'site'" in error.problem


@pytest.mark.parametrize(
    ("line", "key", "expected"),
    [
        ("xml_url: ftp://acme/WBXService/XMLService", "xml_url", "http(s) URL"),
        ("xml_url: https://acme.webex.com/", "xml_url", "ending in /WBXService/XMLService"),
        ("xml_url: https:///WBXService/XMLService", "xml_url", "http(s) URL"),
        ("xml_url: http://h:99999/WBXService/XMLService", "xml_url", "port"),
        ("rest_url: webexapis.com/v1", "rest_url", "http(s) URL"),
    ],
)
def test_malformed_urls_are_rejected(tmp_path: Path, line: str, key: str, expected: str) -> None:
    error = load_error(write(tmp_path, with_section(line + "\n")))
    assert error.key == key
    assert expected in error.problem


@pytest.mark.parametrize("key", ["password", "rest_token", "jwt_token"])
def test_literal_secret_in_a_site_file_is_rejected(tmp_path: Path, key: str) -> None:
    values = {"password": "${WEBEX_PASSWORD}", "rest_token": "${WEBEX_REST_TOKEN}", key: "hunter2"}
    path = write(
        tmp_path,
        f"""\
        target: site
        xml_url: https://acme.webex.com/WBXService/XMLService
        rest_url: https://webexapis.com/v1
        site_name: acme
        credentials:
          webExID: qa-host
          password: "{values["password"]}"
          rest_token: "{values["rest_token"]}"
          jwt_token: "{values.get("jwt_token", "${WEBEX_JWT:-}")}"
        """,
    )
    error = load_error(path, SITE_VARS)
    assert error.key == f"credentials.{key}"
    assert "secrets must be ${VAR} references" in error.problem
    assert "hunter2" not in str(error)


def test_escaped_placeholder_does_not_count_as_a_reference(tmp_path: Path) -> None:
    text = (
        "target: site\nxml_url: https://a.webex.com/WBXService/XMLService\nrest_url: https://b/v1\n"
        "site_name: a\ncredentials: {webExID: u, password: 'x$${Y}'}\n"
    )
    error = load_error(write(tmp_path, text))
    assert error.key == "credentials.password"


def test_literal_secret_in_the_emulator_file_is_allowed(tmp_path: Path) -> None:
    env = load_environment(write(tmp_path, MINIMAL), {})
    assert env.credentials.password == "pw"


def test_literal_probe_user_password_in_a_site_file_is_rejected(tmp_path: Path) -> None:
    site = (ENVIRONMENTS_DIR / "site.example.yaml").read_text(encoding="utf-8")
    path = write(tmp_path, site + "probe_user:\n  webExID: probe\n  password: letmein\n")
    error = load_error(path, SITE_VARS)
    assert error.key == "probe_user.password"
    assert "letmein" not in str(error)


def test_probe_user_loads_and_its_password_is_a_secret(tmp_path: Path) -> None:
    site = (ENVIRONMENTS_DIR / "site.example.yaml").read_text(encoding="utf-8")
    path = write(tmp_path, site + "probe_user:\n  webExID: probe\n  password: ${PROBE_PW}\n")
    env = load_environment(path, {**SITE_VARS, "PROBE_PW": "probe-secret"})
    assert env.probe_user is not None
    assert env.probe_user.webex_id == "probe"
    assert env.secrets() == ["s3cret-pass", "s3cret-token", "probe-secret"]


# --------------------------------------------------------------------------------------------
# File-level errors


def test_yaml_syntax_error_is_one_line_with_the_line_number(tmp_path: Path) -> None:
    path = write(tmp_path, "target: emulator\nsite_name: [unclosed\ncredentials:\n  webExID: a\n")
    error = load_error(path)
    assert error.key == "(file)"
    assert "invalid YAML at line " in error.problem
    assert "\n" not in str(error)


def test_yaml_error_reports_the_offending_line(tmp_path: Path) -> None:
    path = write(tmp_path, "target: emulator\nsite_name: harness\n  bad: indent\n")
    error = load_error(path)
    assert error.key == "(file)"
    assert "line 3" in error.problem


def test_duplicate_key_is_an_error_with_its_line(tmp_path: Path) -> None:
    error = load_error(write(tmp_path, MINIMAL + "site_name: other\n"))
    assert error.key == "(file)"
    assert "duplicate key 'site_name'" in error.problem
    assert "line 6" in error.problem


def test_missing_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    error = load_error(path)
    assert (error.key, error.problem) == ("(file)", "file not found")
    assert str(error) == f"{path}: (file): file not found"


def test_error_is_a_value_error_and_survives_pickling(tmp_path: Path) -> None:
    import pickle

    error = EnvironmentFileError(tmp_path / "x.yaml", "budget.max_requests", "expected an integer")
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error)
    assert copy.key == "budget.max_requests"


# --------------------------------------------------------------------------------------------
# The Environment object


def site_env() -> Environment:
    return load_environment(ENVIRONMENTS_DIR / "site.example.yaml", SITE_VARS)


def test_check_reachable_fails_on_a_closed_port_naming_xml_url() -> None:
    port = free_port()
    env = site_env().with_urls(f"http://127.0.0.1:{port}/WBXService/XMLService", "http://127.0.0.1/v1")
    with pytest.raises(EnvironmentFileError) as info:
        check_reachable(env, timeout=2.0)
    assert info.value.key == "xml_url"
    assert info.value.problem.startswith(f"cannot reach 127.0.0.1:{port}: ")
    assert "\n" not in str(info.value)


def test_check_reachable_passes_on_a_listening_port() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        env = site_env().with_urls(f"http://127.0.0.1:{port}/WBXService/XMLService", "http://127.0.0.1/v1")
        check_reachable(env, timeout=2.0)


def test_check_reachable_skips_auto_urls() -> None:
    check_reachable(load_environment(DEFAULT_ENVIRONMENT, {}))


def test_with_urls_returns_a_filled_copy() -> None:
    env = load_environment(DEFAULT_ENVIRONMENT, {})
    started = env.with_urls("http://127.0.0.1:5000/WBXService/XMLService", "http://127.0.0.1:5000/v1/")
    assert started.xml_url == "http://127.0.0.1:5000/WBXService/XMLService"
    assert started.rest_url == "http://127.0.0.1:5000/v1"
    assert not started.needs_urls
    assert (env.xml_url, env.rest_url) == ("auto", "auto")
    assert started.credentials == env.credentials
    assert started.settings == env.settings


def test_environment_is_immutable() -> None:
    env = load_environment(DEFAULT_ENVIRONMENT, {})
    with pytest.raises(AttributeError):
        env.xml_url = "http://x/WBXService/XMLService"  # type: ignore[misc]


def test_security_carries_site_user_and_password() -> None:
    env = site_env()
    assert env.security() == Security(site_name="acme", webex_id="qa-host", password="s3cret-pass")


def test_describe_and_repr_contain_no_secret_values() -> None:
    env = site_env()
    described = env.describe()
    assert described["target"] == "site"
    assert described["site_name"] == "acme"
    assert described["settings"] == SiteSettings().to_dict() | {"password_required": True}
    assert described["allow"] == {"destructive": False, "lockout": False}
    assert described["budget"] == {"max_requests": 1000, "max_seconds": 900.0}
    flat = repr(described)
    rendered = repr(env)
    for secret in env.secrets():
        assert secret not in flat
        assert secret not in rendered
    assert env.secrets() == ["s3cret-pass", "s3cret-token"]


def test_environment_from_mapping_validates_a_mapping_without_a_file() -> None:
    data = {"target": "emulator", "site_name": "s", "credentials": {"webExID": "a", "password": "${P:-b}"}}
    env = environment_from_mapping(data, env={})
    assert env.path is None
    assert env.name == "emulator"
    assert env.credentials.password == "b"
    with pytest.raises(EnvironmentFileError, match=r"^<environment>: target: "):
        environment_from_mapping({**data, "target": "x"}, env={})


# --------------------------------------------------------------------------------------------
# Roles: users.admin / invitee / outsider / probe

ROLE_VARS = {
    **SITE_VARS,
    "ADMIN_USER": "qa-admin",
    "ADMIN_PW": "admin-secret",
    "INVITEE_PW": "invitee-secret",
    "OUTSIDER_PW": "outsider-secret",
    "PROBE_PW": "probe-secret",
}
ROLES_SECTION = """\
users:
  admin:    {webExID: "${ADMIN_USER}", password: "${ADMIN_PW}"}
  invitee:  {webExID: qa-invitee, password: "${INVITEE_PW}", email: invitee@acme.example}
  outsider:
    webExID: qa-outsider
    password: ${OUTSIDER_PW}
    email: outsider@acme.example
  probe:    {webExID: qa-probe, password: "${PROBE_PW}"}
"""


def site_with(tmp_path: Path, section: str) -> Path:
    site = (ENVIRONMENTS_DIR / "site.example.yaml").read_text(encoding="utf-8")
    site = site.replace("\nusers:\n", "\n")  # the example's (commented-out) users section
    return write(tmp_path, site + section)


def test_every_declared_role_loads_as_a_typed_account(tmp_path: Path) -> None:
    env = load_environment(site_with(tmp_path, ROLES_SECTION), ROLE_VARS)
    assert env.users.admin is not None and env.users.admin.webex_id == "qa-admin"
    assert env.users.admin.password == "admin-secret" and env.users.admin.email is None
    assert env.users.invitee is not None and env.users.invitee.email == "invitee@acme.example"
    assert env.users.outsider is not None and env.users.outsider.webex_id == "qa-outsider"
    assert list(env.users.declared()) == ["admin", "invitee", "outsider", "probe"]
    assert env.probe_user is env.users.probe


def test_roles_are_optional_and_the_example_declares_none() -> None:
    env = site_env()
    assert env.users.declared() == {}
    assert env.users.get("admin") is None
    partial = environment_from_mapping(
        {
            "target": "emulator",
            "site_name": "s",
            "credentials": {"webExID": "a", "password": "b"},
            "users": {"invitee": {"webExID": "i", "password": "p"}},
        },
        env={},
    )
    assert list(partial.users.declared()) == ["invitee"]


def test_every_role_password_is_a_secret_and_never_described(tmp_path: Path) -> None:
    env = load_environment(site_with(tmp_path, ROLES_SECTION), ROLE_VARS)
    assert env.secrets() == [
        "s3cret-pass",
        "s3cret-token",
        "admin-secret",
        "invitee-secret",
        "outsider-secret",
        "probe-secret",
    ]
    described = env.describe()
    assert described["users"] == ["admin", "invitee", "outsider", "probe"]
    for secret in env.secrets():
        assert secret not in repr(described) and secret not in repr(env)


def test_an_unknown_role_is_named_with_a_suggestion(tmp_path: Path) -> None:
    error = load_error(site_with(tmp_path, "users:\n  admn: {webExID: a, password: '${ADMIN_PW}'}\n"), ROLE_VARS)
    assert error.key == "users.admn"
    assert "unknown key (known: admin, invitee, outsider, probe)" in error.problem
    assert "did you mean 'admin'?" in error.problem


@pytest.mark.parametrize(
    ("section", "key", "expected"),
    [
        ("users:\n  admin: {webExID: a, password: letmein}\n", "users.admin.password", "${VAR} references"),
        ("users:\n  admin: {webExID: a}\n", "users.admin.password", "missing"),
        ("users:\n  admin: {password: '${ADMIN_PW}'}\n", "users.admin.webExID", "missing"),
        ("users:\n  admin: {webExID: a, password: '${ADMIN_PW}', pin: 1}\n", "users.admin.pin", "unknown key"),
        (
            "users:\n  invitee: {webExID: i, password: '${INVITEE_PW}', email: nobody}\n",
            "users.invitee.email",
            "expected an e-mail address",
        ),
        (
            "users:\n  probe: {webExID: p, password: '${PROBE_PW}', email: [x]}\n",
            "users.probe.email",
            "expected a string",
        ),
        ("users:\n  admin: qa-admin\n", "users.admin", "expected a mapping"),
        ("users: [admin]\n", "users", "expected a mapping, got a list"),
        (
            "users:\n  probe: {webExID: p, password: '${PROBE_PW}'}\n"
            "probe_user: {webExID: p, password: '${PROBE_PW}'}\n",
            "probe_user",
            "users.probe",
        ),
    ],
)
def test_a_wrong_role_names_the_file_and_the_key(tmp_path: Path, section: str, key: str, expected: str) -> None:
    error = load_error(site_with(tmp_path, section), ROLE_VARS)
    assert error.key == key
    assert expected in error.problem
    assert "letmein" not in str(error)


def test_probe_user_is_a_deprecated_alias_of_users_probe(tmp_path: Path) -> None:
    env = load_environment(
        site_with(tmp_path, "probe_user: {webExID: old-probe, password: '${PROBE_PW}'}\n"), ROLE_VARS
    )
    assert env.users.probe is not None and env.users.probe.webex_id == "old-probe"
    assert env.describe()["users"] == ["probe"]


def test_the_examples_roles_load_when_uncommented(tmp_path: Path) -> None:
    site = (ENVIRONMENTS_DIR / "site.example.yaml").read_text(encoding="utf-8")
    uncommented = "\n".join(
        line.replace("  # ", "  ", 1) if line.startswith("  # ") and "{webExID" in line else line
        for line in site.splitlines()
    )
    names = ("ADMIN", "INVITEE", "OUTSIDER", "PROBE")
    variables = {
        **SITE_VARS,
        **{f"WEBEX_{n}_USER": n.lower() for n in names},
        **{f"WEBEX_{n}_PASSWORD": f"{n.lower()}-pw" for n in names},
    }
    env = load_environment(write(tmp_path, uncommented), variables)
    assert list(env.users.declared()) == ["admin", "invitee", "outsider", "probe"]
    assert env.users.outsider is not None and env.users.outsider.email == "outsider@acme.com"


def test_an_unquoted_placeholder_in_a_flow_mapping_gets_a_hint(tmp_path: Path) -> None:
    error = load_error(site_with(tmp_path, "users:\n  admin: {webExID: a, password: ${ADMIN_PW}}\n"), ROLE_VARS)
    assert error.key == "(file)"
    assert 'quote a placeholder: password: "${VAR}"' in error.problem
