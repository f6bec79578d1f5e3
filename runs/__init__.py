"""The top layer: orchestration — the command line (:mod:`runs.cli`, its argument checks
:mod:`runs.cli_checks`), the runner that brings a target up and runs the suites and the load
(:mod:`runs.runner`), the reports (:mod:`runs.report`, :mod:`runs.html_report`,
:mod:`runs.junit_outputs`), load gates (:mod:`runs.gates`), before/after comparison
(:mod:`runs.compare`, :mod:`runs.compare_report`, :mod:`runs.stats`, :mod:`runs.svg_chart`), ``costs --refresh``
(:mod:`runs.costs`) and ``prune`` (:mod:`runs.prune`).

Stands on every other layer; nothing imports it. The only place that starts the harness's runs.
"""
