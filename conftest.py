"""Root pytest glue: the harness plugin (``--env``, ``--seed``, target and site fixtures, the
emulator's lifecycle, behaviour markers). See :mod:`harness.pytest_plugin`."""

pytest_plugins = ["harness.pytest_plugin"]
