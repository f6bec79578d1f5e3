"""Record the corpus's answers again: ``python -m tests.differential.record [--force]``.

Run it after an INTENDED change of what the emulator answers (and commit the new
``answers.jsonl.gz`` with that change, so the diff of the answers is reviewed with it). It replays
``inputs.jsonl.gz`` (:func:`tests.differential.corpus.replay`) and writes the answers; it refuses
(exit 2, one line) while ``emulator/`` has uncommitted changes — answers recorded from a working tree
nobody can see again prove nothing — unless ``--force``. ``--check`` writes nothing and says whether
the recorded answers still hold (what ``tests/test_differential.py`` asserts); ``--check --mask REGEX``
leaves what REGEX matches out of the comparison, to see that a deliberate change of drawn values
(generated passwords drawn another way) changed nothing else before recording again.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

from tests.differential.corpus import ANSWERS, INPUTS, differences, load_answers, load_inputs, replay, write_jsonl

REPO = Path(__file__).resolve().parents[2]


def emulator_changes(repo: Path = REPO) -> list[str]:
    """The uncommitted changes (``git status --porcelain``) under ``emulator/``."""
    done = subprocess.run(
        ["git", "status", "--porcelain", "--", "emulator"], cwd=repo, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"git status failed: {done.stderr.strip()[:200]}")
    return [line for line in done.stdout.splitlines() if line.strip()]


def refusal() -> str | None:
    """The one-line error when answers must not be recorded now (``emulator/`` has uncommitted changes)."""
    try:
        changed = emulator_changes()
    except (OSError, RuntimeError) as exc:
        return f"error: cannot tell whether emulator/ has uncommitted changes ({exc}); use --force"
    if changed:
        return (
            f"error: emulator/ has uncommitted changes ({len(changed)} files, e.g. {changed[0].strip()}): "
            "commit them first or record with --force"
        )
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.differential.record", description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="record although emulator/ has uncommitted changes")
    parser.add_argument("--check", action="store_true", help="compare with the recorded answers, write nothing")
    parser.add_argument(
        "--mask",
        metavar="REGEX",
        help="with --check: leave what matches REGEX in the answers' bodies out of the comparison "
        "(e.g. '<[a-z]+:(meetingPassword|sessionPassword)>[^<]*' after a deliberate change of how passwords are drawn)",
    )
    args = parser.parse_args(argv)
    mask = None
    if args.mask is not None:
        if not args.check:
            print("error: --mask works only with --check (answers are always recorded whole)", file=sys.stderr)
            return 2
        try:
            mask = re.compile(args.mask.encode())
        except re.error as exc:
            print(f"error: --mask {args.mask!r} is not a regular expression: {exc}", file=sys.stderr)
            return 2
    if not INPUTS.is_file():
        print(
            f"error: no corpus inputs at {INPUTS} (python -m tests.differential.build_inputs makes them)",
            file=sys.stderr,
        )
        return 2
    if not args.check and not args.force and (problem := refusal()):
        print(problem, file=sys.stderr)
        return 2
    inputs = load_inputs()
    answers = replay(inputs).answers
    if args.check:
        found = differences(inputs, load_answers(), answers, mask=mask)
        print("\n\n".join(found) if found else f"all {len(inputs)} answers as recorded")
        return 1 if found else 0
    size = write_jsonl(ANSWERS, (a.to_json() for a in answers))
    print(f"{len(answers)} answers, {size} bytes: {ANSWERS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
