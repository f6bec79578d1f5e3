"""Layer 6: the pytest plugin the contract suites run under (:mod:`plugin.pytest_plugin`: options,
markers, the target and its fixtures, secrets, per-test results) and the plan of a run
(:mod:`plugin.plan`: profiles, request costs, the budget check before the first request).

Stands on the layers below (:mod:`webex`, :mod:`environment`, :mod:`workspace`, :mod:`client`,
:mod:`generators`, :mod:`emulator`); the suites in ``contracts/`` stand on it.
"""
