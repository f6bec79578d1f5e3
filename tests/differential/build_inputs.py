"""Make the corpus's inputs again: ``python -m tests.differential.build_inputs [--force]`` (on purpose only).

The inputs are frozen data (``inputs.jsonl.gz``): the generators change over time, and a corpus made
at test time would change with them. This module makes them by *driving* one fresh in-process
emulator under :func:`tests.differential.determinism.deterministic` and writing down every request
it received, in order (:class:`tests.differential.recording.Recorder`) — the prerequisites the
contract suite's ``Prerequisites`` creates included — so that the keys later inputs carry are the
keys the replay's emulator gives out again. What it sends:

- for EVERY catalogue API (``generators.catalogue.all_apis()``), on a new site (made through the
  control API, as a contract test's): its prerequisites, the valid envelope of seeds
  :data:`VALID_SEEDS`, every edge case of ``generators.edges.edge_cases`` for :data:`EDGE_SEEDS`,
  :data:`MUTATIONS` seeded mutations of the valid envelope (:mod:`tests.differential.mutations`);
  after an API that writes, the valid envelope of every API of its service that reads (``Get*``,
  ``Lst*``) on the same objects, so that what a write changed is answered; then the prerequisites'
  clean-up;
- messages of several bodyContents, and control requests that change what later ones read (clock
  moves, settings, a fault) or that the control API must refuse (odd bodies, a foreign Host or
  Origin, ``text/plain``);
- a site with a low usage limit, where failures count until the limit refuses, then an hour passes;
- the hostile corpus: every case of ``tests/test_hostile.py`` (the files of ``tests/hostile/`` and
  the generated bombs), placeholders filled with fixed values;
- REST (:mod:`tests.differential.rest_inputs`).

Then it records the answers (:mod:`tests.differential.record`): new inputs need new answers. Like
the recorder, it refuses (exit 2, one line) while ``emulator/`` has uncommitted changes, unless ``--force``.
"""

from __future__ import annotations

import argparse
import sys

import httpx

from tests.differential import record
from tests.differential.corpus import BASE_URL, INPUTS, Input, Wire, write_jsonl
from tests.differential.determinism import FROZEN_NOW, deterministic
from tests.differential.mutations import mutations
from tests.differential.recording import HOST, JSON, XML_PATH, Headers, Recorder, api_of
from tests.differential.rest_inputs import send_rest
from webex_harness.emulator.app import create_app

VALID_SEEDS = (1, 2, 3)
EDGE_SEEDS = (1, 2)
MUTATIONS = 12
#: The APIs of the messages of several bodyContents.
MULTI_BODY = ("GetSessionInfo", "LstsummaryMeeting", "GetUser", "LstTimeZone", "GetSite", "CreateMeeting", "GetMe")


def _reads(api: str) -> bool:
    """An API that only reads (Get*, Lst*): sent after each writer of its service, with the writer's objects."""
    return api.startswith(("Get", "Lst"))


def build() -> list[Input]:
    """Drive a fresh emulator through the whole corpus; the requests it received, in order."""
    # imported here: the contract suite, the plugin and the hostile tests build the inputs; a replay needs none
    from tests.test_hostile import CASES, CORPUS, GENERATED
    from webex_harness.client.xml_client import ControlClient, RequestBudget
    from webex_harness.contracts.test_catalogue import Prerequisites, caller_role
    from webex_harness.environment.loader import load_environment, resolve_environment_path
    from webex_harness.generators.catalogue import all_apis
    from webex_harness.generators.edge_builder import context_requirements
    from webex_harness.generators.edges import edge_cases
    from webex_harness.generators.envelopes import valid_envelope
    from webex_harness.plugin.results import Recorder as Results
    from webex_harness.plugin.targets import Target, make_site

    with deterministic():
        wire = Wire(create_app())
        rec = Recorder(wire)
        http = httpx.Client(transport=httpx.MockTransport(rec.handle), base_url=BASE_URL)
        env = load_environment(resolve_environment_path("emulator")).with_urls(BASE_URL + XML_PATH, BASE_URL + "/v1")
        target = Target(env, http, RequestBudget(10**7), ControlClient(BASE_URL, http), Results(), run_id="diffcorpus")

        # every catalogue API: prerequisites, valid envelopes, edge cases, mutations, what the
        # service's readers answer after them, clean-up
        readers: dict[str, list[str]] = {}
        for spec in all_apis():
            if _reads(spec.name):
                readers.setdefault(spec.service, []).append(spec.name)
        for spec in all_apis():
            rec.api, rec.note = spec.name, f"prerequisite of {spec.name}"
            site = make_site(target, [], None, {})
            pre = Prerequisites(site, site.client(caller_role(spec)), VALID_SEEDS[0])
            try:
                ctx = pre.build(spec, context_requirements(spec, pre.ctx))
            except Exception as exc:  # a prerequisite refused: the inputs still go, addressing nothing
                print(f"{spec.name}: prerequisites failed ({exc!s:.100}); sent on a bare context", file=sys.stderr)
                ctx = pre.ctx
            for seed in VALID_SEEDS:
                rec.xml(valid_envelope(spec.name, seed, ctx), spec.name, f"valid, seed {seed}")
            for seed in EDGE_SEEDS:
                for case in edge_cases(spec.name, seed, ctx):
                    rec.xml(case.envelope, spec.name, f"edge {case.id}, seed {seed}")
            base = valid_envelope(spec.name, VALID_SEEDS[0], ctx)
            for n, (data, what) in enumerate(mutations(base, f"mutate:{spec.name}", MUTATIONS)):
                rec.xml(data, spec.name, f"mutation {n}: {what}")
            for reader in readers.get(spec.service, []) if not _reads(spec.name) else []:
                rec.xml(valid_envelope(reader, 1, ctx), reader, f"read-back after {spec.name}")
            rec.note = f"clean-up after {spec.name}"
            pre.close()

        # messages of several bodyContents; control requests in between
        rec.api, rec.note = "", "multi-body site"
        site = make_site(target, [], None, {})
        ctx = Prerequisites(site, site.client("host"), 1).ctx
        known = {s.name for s in all_apis()}
        names = [n for n in MULTI_BODY if n in known]
        bodies = []
        for name in names:
            envelope = valid_envelope(name, 7, ctx)
            bodies.append(envelope[envelope.find(b"<bodyContent") : envelope.rfind(b"</body>")])
        head = valid_envelope(names[0], 7, ctx)
        prefix, suffix = head[: head.find(b"<bodyContent")], head[head.rfind(b"</body>") :]

        def multi(k: int, note: str = "") -> None:
            rec.xml(prefix + b"".join(bodies[:k]) + suffix, "+".join(names[:k]), f"{k} bodyContents{note}")

        for k in (2, 3, len(bodies)):
            multi(k)
        rec.xml(prefix + bodies[0] * 60 + suffix, names[0], "60 bodyContents")
        at = f"/sites/{site.name}"
        for method, path, payload, note in (
            ("POST", f"{at}/clock", {"advance_seconds": 3600}, "clock +1 h"),
            ("POST", f"{at}/clock", {"advance_seconds": -86400 * 3}, "clock -3 days"),
            ("POST", f"{at}/clock", {"advance_seconds": float("nan")}, "clock NaN"),
            ("POST", f"{at}/clock", {"advance_seconds": 1e20}, "clock 1e20"),
            ("POST", f"{at}/clock", [1, 2], "clock, a list"),
            ("POST", f"{at}/settings", {"body_content_limit": 2}, "bodyContent limit 2"),
            ("POST", f"{at}/settings", {"no_such_setting": 1}, "unknown setting"),
            ("POST", f"{at}/faults", {"enable": ["body-content-limit"]}, "fault on"),
            ("POST", f"{at}/faults", {"enable": ["no-such-fault"]}, "unknown fault"),
            ("POST", f"{at}/sessions/123", "text", "sessions, a string body"),
            ("GET", f"{at}/state", None, "state"),
            ("GET", "/sites/nosuchsite/state", None, "state of no site"),
            ("GET", "/faults", None, "the fault table"),
        ):
            rec.control(method, path, payload, note)
            if note in ("clock -3 days", "bodyContent limit 2", "fault on"):
                for k in (2, 3):
                    multi(k, f" after {note}")
        for headers, note in (
            ((HOST, ("content-type", "text/plain")), "text/plain control POST"),
            ((("host", "evil.example:8080"), ("content-type", JSON)), "foreign Host"),
            ((HOST, ("origin", "http://evil.example"), ("content-type", JSON)), "foreign Origin"),
        ):
            rec.control("POST", f"{at}/settings", {}, note, headers)

        # the usage limit: "no data found" failures count until the site refuses, then an hour passes
        rec.api, rec.note = "", "usage-limit site"
        site = make_site(target, [], None, {"usage_limit_per_hour": 3})
        client = site.client("host")
        unknown = ctx.with_(security=client.security, session_key="999999999")
        info, other = valid_envelope("GetSessionInfo", 1, unknown), valid_envelope("GetMeeting", 1, unknown)
        for n in range(5):
            rec.xml(info, "GetSessionInfo", f"an unknown session, {n + 1} of 5 (limit 3 an hour)")
        rec.xml(other, "GetMeeting", "an unknown meeting while blocked (another API)")
        for seconds, note in ((3601, "1 h 1 s later"), (3600, "2 h 1 s later")):
            rec.control("POST", f"/sites/{site.name}/clock", {"advance_seconds": seconds}, f"clock +{seconds} s")
            rec.xml(info, "GetSessionInfo", f"an unknown session, {note}")

        # the hostile corpus, on the default site as tests/test_hostile.py sends it
        for hostile in CASES:
            name = hostile.name
            data = GENERATED[name]() if name in GENERATED else (CORPUS / name).read_bytes()
            data = data.replace(b"@@MARKER_URI@@", b"file:///nonexistent/differential-marker")
            data = data.replace(b"@@LISTENER@@", b"http://127.0.0.1:9")
            sent: Headers = (HOST, ("content-type", hostile.content_type)) if hostile.content_type else (HOST,)
            rec.xml(data, api_of(data[:4096]), f"hostile {name}", sent)
        for method, path, note in (("GET", XML_PATH, "GET on the XML path"), ("POST", "/nowhere", "unknown path")):
            rec.send(Input("http", method, path, b"", "", (HOST,), "", note))

        rec.api, rec.note = "", "REST site"
        site = make_site(target, [], None, {})
        send_rest(rec, site.name, str(site.rest_token), FROZEN_NOW.replace(tzinfo=None))
        wire.close()
        http.close()
        return rec.inputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.differential.build_inputs", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--force", action="store_true", help="build although emulator/ has uncommitted changes")
    args = parser.parse_args(argv)
    if not args.force and (refusal := record.refusal()):
        print(refusal, file=sys.stderr)
        return 2
    inputs = build()
    size = write_jsonl(INPUTS, (i.to_json() for i in inputs))
    print(f"{len(inputs)} inputs, {size} bytes: {INPUTS}")
    return record.main(["--force"])  # the answers of the new inputs, from the emulator just checked


if __name__ == "__main__":
    raise SystemExit(main())
