"""Whether a pytest run asks for the harness, and with which environment: ``--env``, else the ini key
``webex_harness_env`` (a path in it is relative to the ini file's folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

__all__ = ["ENV_INI_KEY", "requested_environment"]

#: the ini key that switches the plugin on for every run of a project
ENV_INI_KEY = "webex_harness_env"


def requested_environment(config: pytest.Config) -> str | None:
    """The environment the run asked for (a name or a path), or None: the plugin stays inactive."""
    given = config.getoption("--env", default=None)
    if given:
        return str(given)
    value = str(config.getini(ENV_INI_KEY) or "").strip()
    if not value:
        return None
    is_path = "/" in value or value.endswith((".yaml", ".yml"))
    if is_path and not Path(value).is_absolute() and config.inipath is not None:
        return str(config.inipath.parent / value)
    return value
