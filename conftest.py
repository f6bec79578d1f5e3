"""Root pytest glue: the harness plugin (``--env``, ``--seed``, target and site fixtures, the
emulator's lifecycle, behaviour markers). See :mod:`plugin.pytest_plugin`."""

pytest_plugins = ["plugin.pytest_plugin"]
