"""Layer 2: the environment file (``environments/*.yaml``) — the target, its credentials, what the
site declares, the budget, the load section — read into an
:class:`~environment.loader.Environment` (:mod:`environment.loader`), and the one URL rule
(:mod:`environment.guard`: loopback or the environment's own origins) checked before any connection.

Stands on :mod:`webex` only.
"""
