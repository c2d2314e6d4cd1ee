"""The ceremony engine: walks a plan's steps with the right people, journaling every act.

One engine serves every front end: the terminal, scripted answers and the desktop app differ
only in the ``Prompter`` they hand in. A step is done when its ``step-completed`` record is in
the journal; running a plan again resumes after the last completed step.

Secrets held here live only in ``CeremonyContext.secrets`` (host memory) for as long as the
ceremony runs; they are never journaled (the journal refuses secret-named keys), and the
dictionary is cleared when the run ends, however it ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from ceremony.errors import CeremonyError, UsageError
from ceremony.journal import JOURNAL_NAME, PROGRAM_ACTOR, PROGRAM_ROLE, Event, Journal
from ceremony.plan import CeremonyPlan, Role, ShareSpec, SoftwareToken, TokenSpec
from ceremony.prompts import Decision, HeadMoment, Outcome, Prompter, StepView
from crypto.errors import CryptoError, PinIncorrect
from crypto.files import commit_staged_file, make_private_folder, stage_new_file
from crypto.token import TokenSession

PIN_ATTEMPTS = 3
SYSTEM = PROGRAM_ACTOR


class StepRefused(CeremonyError):
    """A person refused a step; the ceremony stops there, journaled, and can be resumed."""


class HandOut(Enum):
    """Which of the plan's share sets a step splits and hands out to its custodians."""

    SHARES = "shares"
    NEW_SHARES = "new_shares"

    def spec(self, plan: CeremonyPlan) -> ShareSpec:
        """The plan's share set of this name."""
        spec = plan.shares if self is HandOut.SHARES else plan.new_shares
        if spec is None:
            raise CeremonyError(f"the plan has no [{self.value}] table to hand out")
        return spec


@dataclass(frozen=True)
class Step:
    """One step of a ceremony: who acts, what they are told, and what the machine does.

    ``shows_head`` and ``hands_out`` are what the room writes on paper during the step; the
    runner and the custody code act on them, and the printed script (``ceremony.script``)
    reads them, so the paper cannot drift from what the program does.
    """

    id: str
    title: str
    roles: tuple[Role, ...]
    instructions: str
    action: Callable[[CeremonyContext], None]
    # A question the acting person confirms before the action runs (None: no sign-off).
    sign_off: str | None = None
    # The program shows the journal's chain head when the action is done, to be read aloud
    # and written down.
    shows_head: bool = False
    # The share set this step splits, one custodian at a time at the screen (None: none).
    hands_out: HandOut | None = None


@dataclass
class CeremonyContext:
    """What a step can reach: the plan, the folder, the journal, the people and the tokens."""

    plan: CeremonyPlan
    folder: Path
    journal: Journal
    prompter: Prompter
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    sessions: dict[str, TokenSession] = field(default_factory=dict)
    # In-memory only: wrap keys and rebuilt secrets between the steps that need them.
    secrets: dict[str, bytes] = field(default_factory=dict)
    # Non-secret values read once per run and shared by the steps (issuer certificate, backup).
    values: dict[str, Any] = field(default_factory=dict)
    step: Step | None = None  # the step running now, for journal records

    # --- people ---------------------------------------------------------------------------

    def first(self, *roles: Role) -> str:
        """The name of the first participant holding one of ``roles``."""
        for role in roles:
            people = self.plan.people(role)
            if people:
                return people[0].name
        raise CeremonyError(f"the plan names no {roles[0].value}; add one as a participant")

    @property
    def administrator(self) -> str:
        return self.first(Role.ADMINISTRATOR)

    @property
    def witness(self) -> str:
        return self.first(Role.WITNESS, Role.AUDITOR)

    def role_of(self, name: str) -> str:
        person = self.plan.person(name)
        return person.role.value if person else PROGRAM_ROLE

    # --- journal --------------------------------------------------------------------------

    def record(self, event: str, data: dict[str, Any] | None = None,
               actor: str = SYSTEM) -> None:
        """Append a journal record; returns after it is on disk."""
        role = PROGRAM_ROLE if actor == SYSTEM else self.role_of(actor)
        self.journal.append(event, actor, role, data or {})

    def records(self, event: str) -> list[Any]:
        return [r for r in self.journal.records if r.event == event]

    def decide(self, decision: Decision, question: str) -> None:
        """Journal a person's decision; a refusal stops the ceremony."""
        data = {"question": question, "step": self.step.id if self.step else None}
        if decision.outcome is Outcome.REFUSED:
            self.record("step-refused", {**data, "reason": decision.reason}, decision.person)
            raise StepRefused(f"{decision.person} refused: {decision.reason or 'no reason given'}"
                              "; the ceremony stopped here and can be resumed")
        if decision.outcome is Outcome.DEVIATION:
            self.record("deviation", {**data, "reason": decision.reason}, decision.person)
        else:
            self.record("sign-off", data, decision.person)

    # --- artifacts ------------------------------------------------------------------------

    def artifact_record(self, relative: str) -> Any | None:
        for record in self.records("artifact-written"):
            if record.data.get("path") == relative:
                return record
        return None

    def existing_artifact(self, relative: str) -> bytes | None:
        """The bytes of an artifact an earlier (interrupted) run wrote and journaled.

        A file with no journal record, or whose content differs from its record, is never
        used: the ceremony refuses and says so.
        """
        path = self.folder / relative
        record = self.artifact_record(relative)
        if record is None:
            if path.exists():
                raise CeremonyError(
                    f"{path} exists but the journal has no record of writing it; it was not "
                    "made by this ceremony, so move it away before resuming"
                )
            return None
        commit_staged_file(path, record.data["sha256"])  # finish a write a crash interrupted
        return path.read_bytes()

    def write_artifact(self, relative: str, data: bytes, kind: str) -> str:
        """Stage, journal, then put an artifact in place; returns its SHA-256.

        Staging first means the journal never names bytes that are not on disk, and a file
        in place is always journaled.
        """
        path = self.folder / relative
        sha256 = stage_new_file(path, data)
        self.record("artifact-written", {"path": relative, "sha256": sha256, "size": len(data),
                                         "kind": kind})
        commit_staged_file(path, sha256)
        return sha256

    # --- tokens ---------------------------------------------------------------------------

    def token(self, spec: TokenSpec, person: str | None = None) -> TokenSession:
        """A logged-in session with ``spec``'s token, asking for the PIN when needed.

        The PIN is held only in this frame's local variable, handed to C_Login and dropped.
        """
        if spec.label in self.sessions:
            return self.sessions[spec.label]
        from ceremony.pins import obtain_pin
        from crypto.token import TokenSession as Session

        self._admit_token(spec)
        actor = person or self.administrator
        problem: str | None = None
        for _attempt in range(PIN_ATTEMPTS):
            pin = obtain_pin(self, spec, actor, problem)
            try:
                session = Session(spec.module, spec.label, pin)
            except PinIncorrect as ex:
                self.record("token-login-failed", {"token": spec.label, "reason": str(ex)},
                            actor)
                problem = str(ex)
                continue
            finally:
                del pin
            self.sessions[spec.label] = session
            self.record("token-login", {"token": spec.label}, actor)
            self.record("token-info", session.info.as_dict())
            self._witnesses_compare(session)
            return session
        raise CeremonyError(f"the PIN of token {spec.label!r} was refused {PIN_ATTEMPTS} times; "
                            "the ceremony stopped before the token locks")

    def _admit_token(self, spec: TokenSpec) -> None:
        """Before any PIN: a real ceremony refuses a software token (recognised by its module
        file or by what the token says it is) or a module the plan leaves to the default,
        unless the plan accepts it; then it is journaled as a deviation, once."""
        from crypto.token import probe_token

        info = probe_token(spec.module, spec.label)  # a missing token is named before any PIN
        if self.plan.rehearsal:
            return
        where = "new_token" if spec is self.plan.new_token else "token"
        if info.software is not None:
            problem = (f"token {spec.label!r} is {info.software} (module {info.module_path}), "
                       "a software token whose keys are files on this machine's disk")
        elif not spec.module_named:
            problem = (f"the plan does not name the PKCS#11 module of token {spec.label!r}, so "
                       f"{info.module_path} was loaded by default")
        else:
            return
        step = self.step.id if self.step else None
        if spec.software_token is SoftwareToken.ACCEPTED:
            if not any(r.data.get("token") == spec.label for r in self.records("deviation")):
                self.record(Event.DEVIATION, {
                    "step": step, "token": spec.label, "problem": problem,
                    "reason": f'accepted in the plan: {where}.software_token = "accepted"',
                    "automatic": True, "module_path": info.module_path,
                    "module_sha256": info.module_sha256})
            return
        self.record(Event.STEP_REFUSED, {"step": step, "token": spec.label, "reason": problem,
                                         "module_path": info.module_path,
                                         "module_sha256": info.module_sha256})
        raise StepRefused(f"{problem}; name the HSM's module in [{where}], or add "
                          f'software_token = "accepted" to it to run on a software token as a '
                          "recorded deviation")

    def _witnesses_compare(self, session: TokenSession) -> None:
        """The witnesses compare what the token reports with the token in the room (its
        label and the serial printed on it); a mismatch stops before the token is used."""
        info = session.info
        question = (f"the token in the room is the one the program opened: label "
                    f"{info.label!r}, manufacturer {info.manufacturer!r}, model "
                    f"{info.model!r}, serial {info.serial!r}")
        person = self.first(Role.WITNESS, Role.AUDITOR, Role.ADMINISTRATOR)
        self.decide(self.prompter.sign_off(person, question), question)

    def show_head(self) -> None:
        """Show the journal's chain head for people to read aloud and write down."""
        from ceremony.pgpwords import head_words

        head = self.journal.head
        self.prompter.chain_head(head, head_words(head))

    def record_head(self, final: bool = False) -> None:
        """The room writes a head in the paper log: shown with its record number until a named
        person (a witness, else the auditor or the administrator) confirms it is written, then
        journaled. ``final``: the ceremony's final head (``ceremony.paperlog``), once."""
        from ceremony.paperlog import final_head
        from ceremony.pgpwords import head_words

        records = self.journal.records
        if final:
            if any(r.data.get("final") for r in self.records(Event.HEAD_RECORDED)):
                return
            found = final_head(records)
            record, head = (found.record, found.head) if found else (0, self.journal.head)
        else:
            record, head = (records[-1].seq if records else 0), self.journal.head
        person = self.first(Role.WITNESS, Role.AUDITOR, Role.ADMINISTRATOR)
        moment = HeadMoment(self.plan.title, record, head, head_words(head), final)
        decision = self.prompter.record_head(person, moment)
        self.record(Event.HEAD_RECORDED, {"head": head, "record": record, "final": final,
                                          "step": self.step.id if self.step else None},
                    decision.person)

    def show_head_at_stop(self) -> None:
        """The ceremony stopped: the room writes the head in the paper log, to be checked
        against the journal when the ceremony resumes. Never hides why it stopped."""
        try:
            self.prompter.inform("The ceremony stopped. Write the chain head below in the paper "
                                 "log: when the ceremony resumes, the journal's head is "
                                 "checked against it.")
            self.show_head()
        except Exception:  # a front end that cannot show it (the window was stopped) shows
            pass  # the head from the journal itself; the cause of the stop must not be hidden

    def close_tokens(self) -> None:
        for session in self.sessions.values():
            session.close()
        self.sessions.clear()


class CeremonyRunner:
    """Runs one plan's steps in order in ``folder``, resuming an interrupted run."""

    def __init__(self, plan: CeremonyPlan, folder: Path, prompter: Prompter,
                 steps: tuple[Step, ...],
                 clock: Callable[[], dt.datetime] | None = None,
                 closing: Callable[[CeremonyContext], None] | None = None) -> None:
        self.plan = plan
        self.folder = folder
        self.prompter = prompter
        self.steps = steps
        self.clock = clock
        # Runs after ceremony-completed, tokens still open (the transcript is written here).
        self.closing = closing

    def run(self) -> CeremonyContext:
        """Run (or resume) the ceremony; returns the context of a completed run."""
        journal, completed, resuming = self._open_journal()
        context = CeremonyContext(self.plan, self.folder, journal, self.prompter)
        if self.clock is not None:
            context.clock = self.clock
        try:
            if resuming:
                self._confirm_resume(context, completed)
            with self._stops_recorded(context):
                for number, step in enumerate(self.steps, start=1):
                    if step.id in completed:
                        continue
                    self._run_step(context, step, number)
                if not context.records("ceremony-completed"):
                    context.record("ceremony-completed", {"steps": len(self.steps)})
                context.step = None
                if self.closing is not None:
                    self.closing(context)
                context.record_head(final=True)  # the head the transcript covers (paperlog)
        finally:
            context.close_tokens()
            context.secrets.clear()
            journal.close()
        return context

    def _open_journal(self) -> tuple[Journal, set[str], bool]:
        """The journal (new, or an earlier run's), the steps completed, and whether resuming."""
        journal_path = self.folder / JOURNAL_NAME
        if not journal_path.exists():
            if self.folder.exists() and any(p for p in self.folder.iterdir()
                                            if not p.name.startswith(".")):
                raise UsageError(f"{self.folder} holds files but no journal; choose an empty "
                                 "or new folder for the ceremony")
            make_private_folder(self.folder)
            journal = Journal.create(self.folder)
            journal.append("ceremony-started", SYSTEM, PROGRAM_ROLE, {
                "id": self.plan.id, "type": self.plan.type.value, "title": self.plan.title,
                "rehearsal": self.plan.rehearsal, "plan_sha256": self.plan.sha256,
                "location": self.plan.location,
                "participants": [{"name": p.name, "role": p.role.value}
                                 for p in self.plan.participants],
                "steps": [{"id": s.id, "title": s.title} for s in self.steps],
            })
            return journal, set(), False
        journal = Journal.open(self.folder)
        started = [r for r in journal.records if r.event == "ceremony-started"]
        if not started or started[0].data.get("plan_sha256") != self.plan.sha256:
            journal.close()
            raise UsageError(f"{self.folder} holds the journal of another plan (or another "
                             "version of this one); choose another folder")
        events = {r.event for r in journal.records}
        # Complete once the final head is in the paper log (a stop just before it resumes to it).
        head_written = any(r.data.get("final") for r in journal.records
                           if r.event == Event.HEAD_RECORDED)
        if "ceremony-completed" in events and head_written and (
                self.closing is None or "transcript-written" in events):
            journal.close()
            raise UsageError(f"the ceremony in {self.folder} is already complete; nothing was "
                             "done")
        completed = {r.data.get("step") for r in journal.records if r.event == "step-completed"}
        return journal, {str(c) for c in completed}, True

    def _confirm_resume(self, context: CeremonyContext, completed: set[str]) -> None:
        """Before anything else on resume: a named person checks the journal's head as found
        against the last head in the paper log, and the confirmation is journaled with it.

        If they say it does not match, the journal may have been changed since the stop (a
        line cut, records removed and the chain recomputed): nothing is written to it, no token
        is opened, and the ceremony stops.
        """
        from ceremony.pgpwords import head_words

        journal = context.journal
        remaining = [s for s in self.steps if s.id not in completed]
        done = [s.title for s in self.steps if s.id in completed]
        where = f"after '{done[-1]}'" if done else "before its first step was completed"
        next_step = remaining[0].title if remaining else "closing the ceremony"
        self.prompter.inform(f"This ceremony stopped {where}; resuming with '{next_step}' once "
                             "the journal's chain head is checked against the paper log.")
        head = journal.head
        person = context.first(Role.WITNESS, Role.AUDITOR, Role.ADMINISTRATOR)
        decision = self.prompter.confirm_head(person, head, head_words(head))
        if decision.outcome is not Outcome.CONFIRMED:
            raise StepRefused(
                f"{decision.person} found that the journal's chain head {head[:16]}... does not "
                f"match the last head in the paper log ({decision.reason or 'no reason given'})"
                "; the journal may have been changed since the ceremony stopped, so nothing "
                "was done and nothing was written to it: have it examined before anything else")
        context.record(Event.RESUME_CONFIRMED, {"head": head, "paper_log": "matches"},
                       decision.person)
        context.record(Event.CEREMONY_RESUMED, {
            "completed_steps": sorted(completed),
            "resume_at": remaining[0].id if remaining else None})

    def _run_step(self, context: CeremonyContext, step: Step, number: int) -> None:
        context.step = step
        actors = tuple(p.name for role in step.roles for p in self.plan.people(role))
        context.record("step-started", {"step": step.id, "title": step.title})
        self.prompter.step(StepView(step.id, number, len(self.steps), step.title,
                                    step.instructions, actors,
                                    tuple(r.value for r in step.roles)))
        if step.sign_off:
            person = actors[0] if actors else context.administrator
            context.decide(self.prompter.sign_off(person, step.sign_off), step.sign_off)
        step.action(context)
        if step.shows_head:
            context.record_head()
        context.record("step-completed", {"step": step.id})

    @contextmanager
    def _stops_recorded(self, context: CeremonyContext) -> Iterator[None]:
        """Journal why a ceremony stopped, so the record is whole up to the stop."""
        try:
            yield
        except StepRefused:
            context.show_head_at_stop()
            raise
        except (CeremonyError, CryptoError) as ex:
            context.record(Event.ERROR, {"step": context.step.id if context.step else None,
                                         "message": str(ex)})
            context.show_head_at_stop()
            raise
        except KeyboardInterrupt:  # Ctrl-C, or the window's Stop
            context.record(Event.CEREMONY_ABORTED, {"step": context.step.id if context.step
                                                    else None, "reason": "interrupted"})
            context.show_head_at_stop()
            raise
        except Exception:  # a bug: nothing to journal about it, but the head is still due
            context.show_head_at_stop()
            raise
