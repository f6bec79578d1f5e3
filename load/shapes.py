"""Load shapes as plain functions of time (issue 6): how many users run at each moment.

No locust import (pytest checks the arithmetic); :mod:`load.shapefile` wraps :func:`shape_tick`
in a locust ``LoadTestShape``. ``users`` is ``--users``, ``run_seconds`` is ``--run-time``:

``steady``
    locust's own ``-u``/``-r``/``-t``: no shape class at all.
``step``
    :data:`STEPS` equal steps up to ``users`` over the run: ``users/4``, ``users/2``, ``3·users/4``,
    ``users`` (rounded up, at least 1), each for a quarter of the run.
``spike``
    a baseline of :data:`SPIKE_BASELINE` of ``users`` (at least 1); ``users`` for the middle
    :data:`SPIKE_SHARE` of the run (40 %–60 %), spawned at ``max(spawn_rate, users)`` per second so
    the spike is a spike; then back to the baseline.

Both end exactly at ``run_seconds``: the tick after it is ``None`` and locust stops. (With a shape
class locust does not enforce ``-t`` itself in headless mode, so this is what ends the run; the
runner's hard wall bound stays behind it.)
"""

from __future__ import annotations

import math

__all__ = ["SHAPED", "SPIKE_BASELINE", "SPIKE_SHARE", "STEPS", "shape_tick", "users_at"]

#: Shapes that need a shape class (``steady`` is locust's default behaviour).
SHAPED = ("step", "spike")
STEPS = 4
SPIKE_BASELINE = 0.2
SPIKE_SHARE = 0.2


def users_at(shape: str, elapsed: float, users: int, run_seconds: float) -> int | None:
    """Users wanted ``elapsed`` seconds into the run, or ``None`` once the run is over."""
    if elapsed >= run_seconds:
        return None
    users = max(1, int(users))
    if shape == "step":
        step = min(STEPS - 1, int(elapsed * STEPS // run_seconds))
        return max(1, math.ceil(users * (step + 1) / STEPS))
    if shape == "spike":
        start = run_seconds * (1 - SPIKE_SHARE) / 2
        if start <= elapsed < start + run_seconds * SPIKE_SHARE:
            return users
        return max(1, round(users * SPIKE_BASELINE))
    if shape == "steady":
        return users
    raise ValueError(f"unknown load shape {shape!r}")


def shape_tick(
    shape: str, elapsed: float, users: int, spawn_rate: float, run_seconds: float
) -> tuple[int, float] | None:
    """locust's ``tick()`` answer: ``(users, spawn_rate)`` or ``None`` to stop."""
    wanted = users_at(shape, elapsed, users, run_seconds)
    if wanted is None:
        return None
    rate = max(float(spawn_rate), float(users)) if shape == "spike" else float(spawn_rate)
    return wanted, rate
