"""A ceremony's steps, and what a step can reach while it runs: the plan, the folder, the
journal, the people and the tokens.

Secrets held here live only in ``CeremonyContext.secrets`` (host memory) for as long as the
ceremony runs; they are never journaled (the journal refuses secret-named keys), and the
runner clears the dictionary when the run ends, however it ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from ceremony.engine.token_checks import check_ceremony_token
from ceremony.errors import CeremonyError, StepRefused
from ceremony.journal import PROGRAM_ACTOR, PROGRAM_ROLE, Event, Journal, final_head, head_words
from ceremony.plan import CeremonyPlan, Role, ShareSpec, SoftwareToken, TokenSpec
from ceremony.prompts import Decision, HeadMoment, Outcome, Prompter
from crypto.errors import PinIncorrect
from crypto.files import commit_staged_file, stage_new_file
from crypto.token import TokenSession, probe_token

PIN_ATTEMPTS = 3
SYSTEM = PROGRAM_ACTOR

ObtainPin = Callable[["CeremonyContext", TokenSpec, str, "str | None"], str]
"""Gives the PIN of a token for a person, told why the last one was refused (if it was)."""


def _no_pin(spec: TokenSpec) -> str:
    raise CeremonyError(f"nothing was set up to obtain the PIN of token {spec.label!r}")


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
    # Where a token's PIN comes from; the runner hands in ``pins.obtain_pin`` (typed, or
    # rebuilt from shares), so this module need not import the share custody it uses.
    obtain_pin: ObtainPin = field(default=lambda ctx, spec, person, problem: _no_pin(spec))

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

    def record(self, event: Event, data: dict[str, Any] | None = None,
               actor: str = SYSTEM) -> None:
        """Append a journal record; returns after it is on disk."""
        role = PROGRAM_ROLE if actor == SYSTEM else self.role_of(actor)
        self.journal.append(event, actor, role, data or {})

    @property
    def step_id(self) -> str | None:
        """The id of the step running now, if any (for journal records)."""
        return self.step.id if self.step else None

    def records(self, event: Event) -> list[Any]:
        return [r for r in self.journal.records if r.event == event]

    def find_record(self, event: Event, **match: object) -> Any | None:
        """The first ``event`` record whose data has every ``match`` value, or None."""
        return next((r for r in self.records(event)
                     if all(r.data.get(k) == v for k, v in match.items())), None)

    def decide(self, decision: Decision, question: str) -> None:
        """Journal a person's decision; a refusal stops the ceremony."""
        data = {"question": question, "step": self.step_id}
        if decision.outcome is Outcome.REFUSED:
            self.record(Event.STEP_REFUSED, {**data, "reason": decision.reason}, decision.person)
            raise StepRefused(f"{decision.person} refused: {decision.reason or 'no reason given'}"
                              "; the ceremony stopped here and can be resumed")
        if decision.outcome is Outcome.DEVIATION:
            self.record(Event.DEVIATION, {**data, "reason": decision.reason}, decision.person)
        else:
            self.record(Event.SIGN_OFF, data, decision.person)

    # --- artifacts ------------------------------------------------------------------------

    def artifact_record(self, relative: str) -> Any | None:
        return self.find_record(Event.ARTIFACT_WRITTEN, path=relative)

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

    def journaled_artifact(self, relative: str) -> bytes:
        """An artifact an earlier step of this ceremony wrote and journaled; CeremonyError when
        none was (the steps ran out of their order)."""
        data = self.existing_artifact(relative)
        if data is None:
            raise CeremonyError(f"{relative} was not written by an earlier step; the ceremony's "
                                "steps ran out of order")
        return data

    def write_artifact(self, relative: str, data: bytes, kind: str) -> str:
        """Stage, journal, then put an artifact in place; returns its SHA-256.

        Staging first means the journal never names bytes that are not on disk, and a file
        in place is always journaled.
        """
        path = self.folder / relative
        sha256 = stage_new_file(path, data)
        self.record(Event.ARTIFACT_WRITTEN, {"path": relative, "sha256": sha256, "size": len(data),
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
        self._admit_token(spec)
        actor = person or self.administrator
        problem: str | None = None
        for _attempt in range(PIN_ATTEMPTS):
            pin = self.obtain_pin(self, spec, actor, problem)
            try:
                session = TokenSession(spec.module, spec.label, pin, spec.serial)
            except PinIncorrect as ex:
                self.record(Event.TOKEN_LOGIN_FAILED, {"token": spec.label, "reason": str(ex)},
                            actor)
                if ex.final_try:
                    # Asking again would stake the token on the last try (an answers file
                    # would even repeat the same PIN): stop, so that it is used on purpose.
                    raise CeremonyError(
                        f"the token {spec.label!r} refused the PIN and one try is left before "
                        "it locks; the ceremony stopped: find the right PIN, then run the plan "
                        "again to resume") from ex
                problem = str(ex)
                continue
            finally:
                del pin
            self.record(Event.TOKEN_LOGIN, {"token": spec.label}, actor)
            self.record(Event.TOKEN_INFO, session.info.as_dict())
            try:
                check_ceremony_token(self, spec, session)  # refuses before any key is made
            except BaseException:
                session.close()
                raise
            self.sessions[spec.label] = session
            self._witnesses_compare(session)
            return session
        raise CeremonyError(f"the PIN of token {spec.label!r} was refused {PIN_ATTEMPTS} times; "
                            "the ceremony stopped before the token locks")

    def _admit_token(self, spec: TokenSpec) -> None:
        """Before any PIN: a real ceremony refuses a software token (recognised by its module
        file or by what the token says it is) or a module the plan leaves to the default,
        unless the plan accepts it; then it is journaled as a deviation, once."""
        info = probe_token(spec.module, spec.label, spec.serial)  # a missing token: no PIN asked
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
        step = self.step_id
        if spec.software_token is SoftwareToken.ACCEPTED:
            if not any(r.data.get("token") == spec.label for r in self.records(Event.DEVIATION)):
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

    def record_head(self, final: bool = False) -> None:
        """The room writes a head in the paper log: shown with its record number until a named
        person (a witness, else the auditor or the administrator) confirms it is written, then
        journaled. ``final``: the ceremony's final head (``ceremony.journal.paperlog``), once."""
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
                                          "step": self.step_id},
                    decision.person)

    def show_head(self) -> None:
        """Show the journal's chain head for people to read aloud and write down."""

        head = self.journal.head
        self.prompter.chain_head(head, head_words(head))

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
