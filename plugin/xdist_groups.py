"""``--dist loadgroup`` that groups: the tests marked ``xdist_group(name)`` run on one worker, one after
another, whatever the pytest and pytest-xdist versions.

pytest-xdist marks a grouped test by appending ``@name`` to its node ID on the worker; since pytest 9 that
rewrite no longer reaches the node ID the controller schedules by, and loadgroup silently spreads a group
over every worker (pytest-xdist issue 1386). On a real site that lets two workers change and read back the
same host's own state side by side. So the harness schedules the groups itself:

- the controller gives every worker a folder (:data:`GROUPS_INPUT` of its ``workerinput``);
- each worker, when its collection is done and before it reports it, writes there which of its tests
  belong to which group (``<worker>.json``: node ID → group);
- the controller's scheduler (:class:`GroupScheduling`, xdist's loadgroup scheduler with the groups read
  from those files) puts each group into one work unit.

Node IDs stay as pytest makes them (no ``@name`` suffix in reports, results or costs). Should a fixed
pytest-xdist append the suffix again, the scheduler still groups by it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

#: the key of the groups folder in an xdist worker's ``workerinput``
GROUPS_INPUT = "wxh_groups_dir"
#: what a group's work unit is called in the scheduler (apart from every node ID)
SCOPE_PREFIX = "xdist_group:"


def item_group(item: pytest.Item) -> str | None:
    """The group ``item`` belongs to, named as pytest-xdist names it: the ``xdist_group`` marks' names
    (the first argument, else ``name=``, else ``default``), sorted and joined with ``_``; None without one."""
    names: set[str] = set()
    for mark in item.iter_markers("xdist_group"):
        names.add(str(mark.args[0] if mark.args else mark.kwargs.get("name", "default")))
    return "_".join(sorted(names)) if names else None


def read_groups(folder: Path) -> dict[str, str]:
    """Node ID → group, from every worker's file in ``folder`` (an unreadable file adds nothing)."""
    groups: dict[str, str] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(found, dict):
            groups.update({str(k): str(v) for k, v in found.items()})
    return groups


def write_groups(folder: Path, worker: str, items: list[pytest.Item]) -> None:
    """``<worker>.json`` in ``folder``: the group of each of ``items`` that has one (written whole, then renamed)."""
    groups = {item.nodeid: group for item in items if (group := item_group(item)) is not None}
    target = folder / f"{worker}.json"
    partial = folder / f"{worker}.json.partial"
    partial.write_text(json.dumps(groups), encoding="utf-8")
    os.replace(partial, target)


def group_scheduler(config: pytest.Config, log: Any, folder: Path) -> Any:
    """xdist's loadgroup scheduler, grouping by the workers' files in ``folder`` (read when it first
    splits a node ID into its work unit: after every worker reported its collection)."""
    from xdist.scheduler import LoadGroupScheduling

    class GroupScheduling(LoadGroupScheduling):  # type: ignore[misc]  # xdist is untyped
        _groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self._groups is None:
                self._groups = read_groups(folder)
            group = self._groups.get(nodeid)
            return SCOPE_PREFIX + group if group is not None else super()._split_scope(nodeid)

    return GroupScheduling(config, log)


class XdistGroups:
    """The plugin (registered by :mod:`plugin.hooks`): the folder on the controller, the files on the
    workers, the scheduler for ``--dist loadgroup``."""

    def __init__(self) -> None:
        self.folder: Path | None = None

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="wxh-xdist-groups-"))
        node.workerinput[GROUPS_INPUT] = str(self.folder)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        workerinput = getattr(config, "workerinput", None)
        if workerinput and GROUPS_INPUT in workerinput:
            write_groups(Path(workerinput[GROUPS_INPUT]), str(workerinput.get("workerid", "worker")), items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: Any) -> Any:
        if config.getvalue("dist") != "loadgroup" or self.folder is None:
            return None  # xdist's own scheduler
        return group_scheduler(config, log, self.folder)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
