"""Layer 2: the environment file (``environments/*.yaml``) — the target, its credentials, what the
site declares, the budget, the load section — as typed values (:mod:`environment.model`), read and
checked, every section at once, by :mod:`environment.loader` (with :mod:`environment.text`: strict
YAML and ``${VAR}`` placeholders, and :mod:`environment.load_section`: the ``load:`` checks) against
:mod:`environment.schema`, the one table of every key (rendered as ``docs/environment.md`` by
:mod:`environment.reference`); one error type (:mod:`environment.errors`); and the one URL rule
(:mod:`environment.guard`: loopback or the environment's own origins) checked before any connection.

Stands on :mod:`webex` only.
"""
