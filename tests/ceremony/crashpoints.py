"""Kill a ceremony at every journal append and every artifact write; check what a crash leaves.

For each ceremony type the demo (``demo --all``) runs, the state before its first ceremony of
that type is saved; then, one run per point, the ceremony is started from that state and killed
with SIGKILL (no clean-up of any kind) at the point: before and after each journal append, and
after each staged, committed or plainly written file. After each kill:

- the journal's hash chain verifies, and no file stands in the ceremony folder that the journal
  does not account for (staged and temporary names aside);
- every private key in every token has a journal record of its creation (in this ceremony's
  journal or an earlier one's);
- running the plan again resumes to the same end: the journal up to the kill is untouched, it
  has ``transcript-written`` and ends with the final ``head-recorded``, the same artifacts
  exist and the tokens hold the same keys as after an uninterrupted run (a clear refusal is
  counted apart, and fails the suite).

Runs are cheap because they are forks of one process that has already imported everything:
``python -m tests.ceremony.crashpoints [--every | --sample N] [--types root,crl] [--json F]``.
The test suite runs a sample of points per type; ``--every`` (or ``KEYCEREMONY_CRASH_EVERY=1``
in the test) tries every point, as docs/assurance.md reports.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import shutil
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Everything a ceremony uses is imported before the first fork, so that each run costs only its
# own work. Nothing here loads the PKCS#11 module: that happens in the forked children alone.
import ceremony.ceremonies.closing  # noqa: F401  (the transcript, imported before forking)
import crypto.files
from ceremony.demo.lifecycle import (
    LIFECYCLE,
    OCSP_TOKEN,
    ROOT2_TOKEN,
    SPARE_TOKEN,
    _Lifecycle,
)
from ceremony.demo.rehearsal import (
    CEREMONY_ORDER,
    DEMO_PIN,
    DEMO_SO_PIN,
    INTERMEDIATE_TOKEN,
    ROOT_TOKEN,
    Rehearsal,
)
from ceremony.execution import prepare, run_plan
from ceremony.frontends.scripted import ScriptedPrompter
from ceremony.journal import Journal, verify_journal
from ceremony.plan import parse_plan
from crypto.algorithms import KeyAlgorithm
from crypto.softhsm import SoftHsmStore

TOKENS = (ROOT_TOKEN, INTERMEDIATE_TOKEN, ROOT2_TOKEN, OCSP_TOKEN, SPARE_TOKEN)
ARTIFACT_EVENTS = ("artifact-written", "transcript-written")


def _ended(records: Any) -> bool:
    """The transcript is written and the last record is the room's final head."""
    last = records[-1]
    return (last.event == "head-recorded" and bool(last.data.get("final"))
            and any(r.event == "transcript-written" for r in records))
KEY_EVENTS = ("key-generation-started", "key-generated", "key-restore-started", "key-restored")


@dataclass
class Ceremony:
    """One ceremony of the demo, as the baseline ran it."""

    index: int
    kind: str
    plan: Path
    out: Path
    points: list[str] = field(default_factory=list)  # the kill points, in order
    artifacts: list[str] = field(default_factory=list)
    keys: list[list[str]] = field(default_factory=list)  # [token, label] after it ran


# --- in a forked child -------------------------------------------------------------------------

class Killed(Exception):
    pass


def _arm(kill_at: int | None, seen: list[str]) -> None:
    """Count (and at ``kill_at``, die at) every journal append and every file write."""

    def point(name: str) -> None:
        seen.append(name)
        if kill_at is not None and len(seen) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    original_append = Journal.append

    def append(self: Journal, event: Any, *args: Any, **kwargs: Any) -> Any:
        point(f"before {event}")
        record = original_append(self, event, *args, **kwargs)
        point(f"after {event}")
        return record

    Journal.append = append  # type: ignore[method-assign]

    def wrap(name: str) -> None:
        original: Callable[..., Any] = getattr(crypto.files, name)

        def written(path: Path, *args: Any, **kwargs: Any) -> Any:
            result = original(path, *args, **kwargs)
            point(f"{name} {Path(path).name}")
            return result

        for module in list(sys.modules.values()):
            if getattr(module, name, None) is original:
                setattr(module, name, written)

    for name in ("stage_new_file", "commit_staged_file", "write_new_file"):
        wrap(name)


def _token_keys(store: Path) -> list[list[str]]:
    from pkcs11 import Attribute, ObjectClass

    from crypto.token import default_module, open_token, reset_module

    reset_module(default_module())
    SoftHsmStore(store).activate()
    keys = []
    for label in TOKENS:
        try:
            with open_token(default_module(), label, DEMO_PIN) as token:
                for key in token.session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}):
                    keys.append([label, str(key[Attribute.LABEL])])
        except Exception:  # the token is not in this store (yet)
            continue
    return sorted(keys)


def _keys_now(folder: Path, report: Path) -> list[list[str]]:
    """The keys in the tokens as a crash left them, listed by a forked child."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            report.write_text(json.dumps(_token_keys(folder / "softhsm")))
        except BaseException:
            report.write_text(json.dumps([["listing failed", traceback.format_exc()]]))
            code = 1
        os._exit(code)
    os.waitpid(pid, 0)
    keys: list[list[str]] = json.loads(report.read_text())
    return keys


def _run_child(folder: Path, one: Ceremony, prompter_file: Path, kill_at: int | None,
               report: Path) -> int:
    """Fork; the child runs (or resumes) the ceremony, armed to die at ``kill_at``."""
    pid = os.fork()
    if pid:
        _, status = os.waitpid(pid, 0)
        return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    code = 0
    result: dict[str, Any] = {}
    try:
        SoftHsmStore(folder / "softhsm").activate()
        prompter = pickle.loads(prompter_file.read_bytes())
        plan = parse_plan(one.plan)
        seen: list[str] = []
        _arm(kill_at, seen)
        try:
            run_plan(prepare(plan, one.out), prompter, folder / "inventory.sqlite3")
        except Exception as exc:
            result["refusal"] = f"{type(exc).__name__}: {exc}"
            result["traceback"] = traceback.format_exc()
            code = 1
        result["points"] = seen
        result["keys"] = _token_keys(folder / "softhsm")
    except BaseException:
        result["crash"] = traceback.format_exc()
        code = 2
    report.write_text(json.dumps(result))
    os._exit(code)


# --- the baseline: demo --all, saving the state before each ceremony ---------------------------

def _baseline(work: Path, algorithm: KeyAlgorithm) -> list[Ceremony]:
    folder = work / "demo"
    saved = work / "saved"
    manifest = work / "baseline.json"
    if manifest.exists() and os.environ.get("CRASHPOINTS_REUSE"):  # while developing the suite
        pid = 1
        status = 0
    else:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(saved, ignore_errors=True)
        pid = os.fork()
    if pid:
        if pid > 1:
            _, status = os.waitpid(pid, 0)
        if status != 0:
            raise SystemExit(f"the baseline demo failed: {manifest.with_suffix('.err')}")
        raw = json.loads(manifest.read_text())
        return [Ceremony(c["index"], c["kind"], Path(c["plan"]), Path(c["out"]), c["points"],
                         c["artifacts"], c["keys"]) for c in raw]
    try:
        made: list[Ceremony] = []
        seen: list[str] = []
        _arm(None, seen)
        rehearsal = Rehearsal.prepare(folder, algorithm)
        prompter = ScriptedPrompter(pins=dict.fromkeys(TOKENS, DEMO_PIN))

        def run(plan: Any) -> None:
            index = len(made)
            out = rehearsal.ceremony_folder(plan.id)
            shutil.copytree(folder, saved / str(index), symlinks=True)
            (saved / f"{index}.prompter").write_bytes(pickle.dumps(prompter))
            start = len(seen)
            run_plan(prepare(plan, out), prompter, rehearsal.inventory)
            records = verify_journal(out / "journal.jsonl").records
            made.append(Ceremony(index, plan.type.value, plan.path, out, seen[start:],
                sorted(r.data["path"] for r in records if r.event in ARTIFACT_EVENTS),
                _token_keys(folder / "softhsm")))

        for name in CEREMONY_ORDER:
            plan = rehearsal.write_plan(name)
            run(plan)
        store = SoftHsmStore(folder / "softhsm")
        for label in (ROOT2_TOKEN, OCSP_TOKEN, SPARE_TOKEN):
            store.init_token(label, DEMO_PIN, DEMO_SO_PIN)
        state = _Lifecycle(folder, rehearsal.module, algorithm, prompter)
        for name, writer in LIFECYCLE:
            path = folder / "plans" / f"{name}.toml"
            crypto.files.write_new_file(path, writer(state).encode())
            run(parse_plan(path))
        manifest.write_text(json.dumps([{
            "index": c.index, "kind": c.kind, "plan": str(c.plan), "out": str(c.out),
            "points": c.points, "artifacts": c.artifacts, "keys": c.keys} for c in made]))
        os._exit(0)
    except BaseException:
        manifest.with_suffix(".err").write_text(traceback.format_exc())
        os._exit(1)


# --- one kill point ----------------------------------------------------------------------------

def _restore(work: Path, index: int) -> Path:
    folder = work / "demo"
    shutil.rmtree(folder)
    shutil.copytree(work / "saved" / str(index), folder, symlinks=True)
    return folder


def _recorded_keys(folder: Path) -> set[tuple[str, str]]:
    keys = set()
    for journal in (folder / "ceremonies").glob("*/journal.jsonl"):
        for record in verify_journal(journal).records:
            if record.event in KEY_EVENTS:
                token = record.data.get("token") or record.data.get("new_token")
                keys.add((str(token), str(record.data.get("label"))))
    return keys


def _not_as_recorded(out: Path, records: Any) -> list[str]:
    """The journaled artifacts standing in ``out`` whose bytes are not the recorded ones."""
    latest = {r.data["path"]: r.data.get("sha256") for r in records
              if r.event in ARTIFACT_EVENTS}
    return sorted(path for path, sha256 in latest.items() if (out / path).is_file()
                  and hashlib.sha256((out / path).read_bytes()).hexdigest() != sha256)


def try_point(work: Path, ceremony: Ceremony, point: int) -> str | None:
    """Kill at ``point`` (1-based), check, resume, check; None if all holds, else the problem."""
    folder = _restore(work, ceremony.index)
    prompter = work / "saved" / f"{ceremony.index}.prompter"
    report = work / "report.json"
    name = ceremony.points[point - 1]
    status = _run_child(folder, ceremony, prompter, point, report)
    if status != -signal.SIGKILL:
        return f"{name}: the run was not killed (status {status}): {report.read_text()[-2000:]}"
    out = ceremony.out
    journal = out / "journal.jsonl"
    partial = verify_journal(journal) if journal.exists() else None
    if partial is not None and not partial.ok:
        return f"{name}: the journal does not verify after the kill: {partial.problems}"
    records = partial.records if partial else ()
    recorded = {r.data["path"] for r in records if r.event in ARTIFACT_EVENTS}
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()
               and not p.name.startswith((".staged-", ".tmp-"))} if out.exists() else set()
    stray = present - recorded - {"journal.jsonl"}
    if stray:
        return f"{name}: files the journal does not account for: {sorted(stray)}"
    partial_files = _not_as_recorded(out, records)
    if partial_files:
        return f"{name}: files not as the journal records them (partial): {partial_files}"
    unrecorded = set(map(tuple, _keys_now(folder, report))) - _recorded_keys(folder)
    if unrecorded:
        return f"{name}: keys with no journal record of their creation: {sorted(unrecorded)}"
    resumed = _run_child(folder, ceremony, prompter, None, report)
    result = json.loads(report.read_text())
    complete = bool(records) and _ended(records)
    if complete and (resumed != 1 or "already complete" not in result.get("refusal", "")):
        return f"{name}: a complete ceremony was not refused as complete: {result}"
    if resumed != 0 and not complete:
        return f"{name}: the resumed run refused: {result.get('refusal') or result}"
    final = verify_journal(journal)
    if not final.ok or not _ended(final.records):
        return f"{name}: the resumed journal does not end well: {final.problems}"
    if [r.hash for r in final.records[:len(records)]] != [r.hash for r in records]:
        return f"{name}: the resumed run changed the journal written before the kill"
    artifacts = sorted(r.data["path"] for r in final.records if r.event in ARTIFACT_EVENTS)
    if artifacts != ceremony.artifacts:
        return f"{name}: other artifacts than an uninterrupted run: {artifacts}"
    partial_files = _not_as_recorded(out, final.records)
    if partial_files:
        return f"{name}: after the resume, files not as the journal records them: {partial_files}"
    leftovers = [p.name for p in out.rglob("*") if p.name.startswith((".staged-", ".tmp-"))]
    if leftovers:
        return f"{name}: staged or temporary files left behind: {leftovers}"
    if result["keys"] != ceremony.keys:
        return f"{name}: the tokens hold {result['keys']}, not {ceremony.keys}"
    unrecorded = {tuple(k) for k in result["keys"]} - _recorded_keys(folder)
    if unrecorded:
        return f"{name}: keys with no journal record of their creation: {sorted(unrecorded)}"
    return None


POINT_KINDS = ("before", "after", "stage_new_file", "commit_staged_file", "write_new_file")
"""Every kind of kill point: before and after a journal append, after each kind of file write."""


ALWAYS_TRIED = ("before key-generated", "before key-restored", "before key-destroyed",
                "after transcript-written")
"""Points every sample has (the first of each, where the type has it)."""


def point_kind(name: str) -> str:
    return name.split(" ", 1)[0]


def select(ceremony: Ceremony, sample: int | None) -> list[int]:
    """The points to try: all of them, or a sample that has each kind of point at least once."""
    total = len(ceremony.points)
    if sample is None or sample >= total:
        return list(range(1, total + 1))
    # Spread evenly, always with the first and the last point; the offset varies by type so
    # that the sampled points differ from one type to the next.
    chosen = {1, total}
    if sample > 0:
        step = total / sample
        offset = ceremony.index % max(1, int(step))
        chosen.update(min(total, 1 + offset + int(i * step)) for i in range(sample))
    # Then one point of every kind the sample lacks (a journal append is not a file write),
    # which one of them also varying by type.
    for kind in POINT_KINDS:
        of_kind = [i for i, name in enumerate(ceremony.points, 1) if point_kind(name) == kind]
        if of_kind and not chosen & set(of_kind):
            chosen.add(of_kind[ceremony.index % len(of_kind)])
    # And the points where faults were found: a key in a token with no record of it yet, a
    # transcript journaled but still staged.
    for wanted in ALWAYS_TRIED:
        chosen.add(next((i for i, name in enumerate(ceremony.points, 1) if name == wanted), 1))
    return sorted(chosen)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", action="store_true", help="every point (default: a sample)")
    parser.add_argument("--sample", type=int, default=6, help="points per ceremony type")
    parser.add_argument("--types", default="", help="comma-separated ceremony types")
    parser.add_argument("--match", default="", help="only the points whose name has this")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    started = time.monotonic()
    ceremonies = _baseline(args.work, KeyAlgorithm.EC_P256)
    wanted = set(filter(None, args.types.split(",")))
    first: dict[str, Ceremony] = {}
    for c in ceremonies:
        first.setdefault(c.kind, c)
    summary: dict[str, Any] = {"types": {}, "failures": []}
    for kind, c in first.items():
        if wanted and kind not in wanted:
            continue
        points = select(c, None if args.every or args.match else args.sample)
        points = [p for p in points if args.match in c.points[p - 1]]
        passed = 0
        for point in points:
            problem = try_point(args.work, c, point)
            print(f"{kind} {point}/{len(c.points)} {c.points[point - 1]}: "
                  f"{'ok' if problem is None else 'FAILED'}", flush=True)
            if problem is None:
                passed += 1
            else:
                summary["failures"].append(f"{kind} point {point}/{len(c.points)}: {problem}")
                print(f"FAIL {kind} {point}: {problem}", file=sys.stderr, flush=True)
        summary["types"][kind] = {"points": len(c.points), "tried": len(points),
                                  "passed": passed, "kinds": sorted(
                                      {point_kind(c.points[p - 1]) for p in points})}
        print(f"{kind}: {passed}/{len(points)} of {len(c.points)} points", flush=True)
    summary["seconds"] = round(time.monotonic() - started, 1)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
