"""Stateful contracts: hypothesis state machines whose rules are API calls and whose invariants are
the documented behaviours (:mod:`contracts.stateful.machine` is their base, :mod:`contracts.stateful.runner`
runs one, shrinks a failure to a numbered list of calls and saves it as a replay file)."""
