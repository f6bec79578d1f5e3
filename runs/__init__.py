"""The top layer: orchestration — the command line (:mod:`runs.cli`: the parser and ``main``; its
argument checks :mod:`runs.cli_checks`; what the commands share :mod:`runs.cli_common`; SIGTERM/SIGHUP
:mod:`runs.stop_signals`), the commands by what they do (:mod:`runs.run_command` with its load phase
:mod:`runs.load_phase` and the check for the load extra :mod:`runs.extras`; :mod:`runs.folder_commands`;
:mod:`runs.target_commands`;
:mod:`runs.catalogue_commands`), the runner that brings a target up and runs the suites and the load
(:mod:`runs.runner`), the reports (:mod:`runs.report`, :mod:`runs.html_report`,
:mod:`runs.junit_outputs`), load gates (:mod:`runs.gates`), before/after comparison
(:mod:`runs.compare`, :mod:`runs.compare_report`, :mod:`runs.stats`, :mod:`runs.svg_chart`), ``costs --refresh``
(:mod:`runs.costs`) and ``prune`` (:mod:`runs.prune`).

Stands on every other layer; nothing imports it. The only place that starts the harness's runs.
"""
