"""The repository's pytest root. The harness's pytest plugin comes with the package (its ``pytest11``
entry point, :mod:`webex_harness.plugin.pytest_plugin`); ``webex_harness_env`` in pyproject.toml's
``[tool.pytest.ini_options]`` switches it on for every run here, on the embedded emulator."""
