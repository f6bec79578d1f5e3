"""The ``step`` and ``spike`` load shapes as a locust ``LoadTestShape`` (see :mod:`load.shapes`).

:func:`load.runner.run_load` appends this file to the locustfile (``-f load/locustfile.py,
load/shapefile.py``) when the shape is not ``steady``, and names the shape in
``WEBEX_HARNESS_SHAPE``. The shape reads ``--users``, ``--spawn-rate`` and ``--run-time`` from
locust's options (``use_common_options``), so by hand::

    WEBEX_HARNESS_SHAPE=spike WEBEX_HARNESS_XML_URL=http://127.0.0.1:8080/WBXService/XMLService \\
        locust -f load/locustfile.py,load/shapefile.py --headless -u 10 -r 5 -t 60s --host http://127.0.0.1:8080

``--run-time`` is required: it is where the shape ends.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import cast

from locust import LoadTestShape

from webex_harness.load.config import SHAPE_VAR
from webex_harness.load.shapes import SHAPED, shape_tick


class HarnessShape(LoadTestShape):
    """Step or spike, chosen by ``WEBEX_HARNESS_SHAPE`` (default ``step``)."""

    use_common_options = True

    def tick(self) -> tuple[int, float] | None:
        assert self.runner is not None
        options = self.runner.environment.parsed_options
        shape = os.environ.get(SHAPE_VAR, "step").strip() or "step"
        if shape not in SHAPED:
            raise SystemExit(f"{SHAPE_VAR}={shape!r}: expected one of {', '.join(SHAPED)}")
        run_seconds = float(getattr(options, "run_time", 0) or 0)
        if run_seconds <= 0:
            raise SystemExit("the step and spike shapes need --run-time: it is where they end")
        elapsed = cast(Callable[[], float], self.get_run_time)()  # LoadTestShape.get_run_time has no annotations
        return shape_tick(
            shape,
            elapsed,
            int(getattr(options, "num_users", 1) or 1),
            float(getattr(options, "spawn_rate", 1) or 1),
            run_seconds,
        )
