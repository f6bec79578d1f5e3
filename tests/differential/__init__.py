"""The differential corpus: requests replayed against the emulator, answers compared byte for byte.

:mod:`tests.differential.determinism` (frozen clock, seeded randomness per call site),
:mod:`tests.differential.corpus` (the files, the in-process replay, the comparison),
:mod:`tests.differential.build_inputs` (makes the inputs, on purpose only) and
:mod:`tests.differential.record` (records the answers); ``tests/test_differential.py`` is the test.
"""
