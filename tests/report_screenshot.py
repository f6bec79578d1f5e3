"""Headless Chromium for the report: ``summary.html`` rendered as a DOM, a PNG and an A4 PDF, each call
bounded; and, run as a script, the README's picture of a real emulator run's report::

    .venv/bin/python tests/report_screenshot.py                      # webex-harness run on the emulator
    .venv/bin/python tests/report_screenshot.py --profile smoke      # other options go to `run`
    .venv/bin/python tests/report_screenshot.py --from-run DIR       # a run folder written already

The script runs ``webex-harness run --out <temporary folder>`` (the reports root a temporary folder too),
then writes the top of its ``summary.html`` as ``docs/images/summary.png`` (kept under 300 KB).
Chromium is the Debian package ``chromium`` (``make browser``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: the README's picture of the report
DOCS_PNG = ROOT / "docs" / "images" / "summary.png"
#: the most the README's picture may weigh
PNG_LIMIT = 300_000
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]
#: the window the README's picture is taken in (its top: the title, the summary, what ran, behaviours)
PICTURE_SIZE = (1200, 1200)
#: the bound of one Chromium call
SECONDS = 90
#: a PDF's page objects (not the ``/Pages`` tree)
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    """Chromium headless with a throw-away profile folder; raises when it fails or takes too long."""
    if CHROMIUM is None:
        raise RuntimeError("chromium is not installed (Debian package `chromium`; `make browser` installs it)")
    result = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=SECONDS,
    )
    if result.returncode != 0:
        raise RuntimeError(f"chromium exited {result.returncode}: {result.stderr[-2000:]}")
    return result


def dump_dom(page: Path, profile: Path) -> str:
    """The page's DOM after Chromium parsed and laid it out."""
    return chromium(["--dump-dom", page.as_uri()], profile).stdout


def screenshot(page: Path, out: Path, profile: Path, size: tuple[int, int] = (1280, 2000)) -> Path:
    chromium([f"--window-size={size[0]},{size[1]}", f"--screenshot={out}", page.as_uri()], profile)
    return out


def print_pdf(page: Path, out: Path, profile: Path) -> Path:
    """The page printed as Chromium prints it (the page's own ``@page`` size; no header or footer)."""
    chromium(["--no-pdf-header-footer", f"--print-to-pdf={out}", page.as_uri()], profile)
    return out


def pdf_pages(data: bytes) -> int:
    """How many pages a PDF has (its page objects; Chromium writes them uncompressed)."""
    return len(_PDF_PAGE.findall(data))


def pdf_page_size(data: bytes) -> tuple[float, float] | None:
    """The first page's MediaBox width and height in points (A4: 595 × 842), or None."""
    match = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    if match is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in match.groups())
    return x1 - x0, y1 - y0


def _picture(page: Path, profile: Path) -> int:
    DOCS_PNG.parent.mkdir(parents=True, exist_ok=True)
    screenshot(page, DOCS_PNG, profile, size=PICTURE_SIZE)
    weight = DOCS_PNG.stat().st_size
    print(f"{DOCS_PNG.relative_to(ROOT)}: {weight // 1000} KB")
    if weight > PNG_LIMIT:
        print(f"{DOCS_PNG.name} weighs more than {PNG_LIMIT // 1000} KB", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str]) -> int:
    """A real emulator run (``--from-run DIR``: a run folder written already), then the top of its
    report as ``docs/images/summary.png``."""
    with tempfile.TemporaryDirectory(prefix="wxh-shot-") as tmp:
        work = Path(tmp)
        if argv[:1] == ["--from-run"] and len(argv) == 2:
            return _picture(Path(argv[1]) / "summary.html", work / "profile")
        out = work / "run"
        env = {**os.environ, "WEBEX_HARNESS_REPORTS": str(work / "reports")}
        cmd = [sys.executable, "-m", "webex_harness.runs.cli", "run", "--out", str(out), *argv]
        print("$ webex-harness " + " ".join(cmd[3:]), flush=True)
        code = subprocess.run(cmd, cwd=work, env=env, timeout=1800).returncode
        print(f"the run exited {code}")
        page = out / "summary.html"
        if not page.exists():
            print("the run wrote no summary.html", file=sys.stderr)
            return 1
        return _picture(page, work / "profile")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
