"""Plans and runs for ceremony tests: real plan files, real SoftHSM tokens, scripted people."""

from __future__ import annotations

from pathlib import Path

from ceremony.demo.rehearsal import CUSTODIANS, DEMO_PIN, PEOPLE, ROOT_KEY, ROOT_TOKEN
from ceremony.engine import CeremonyContext
from ceremony.execution import prepare, run_plan
from ceremony.frontends.scripted import ScriptedPrompter
from crypto.token import default_module


def participants() -> str:
    return "".join(f'\n[[participant]]\nname = "{n}"\nrole = "{r}"\n' for n, r in PEOPLE)


def header(kind: str, ceremony_id: str, rehearsal: bool = True) -> str:
    return (f'format = "keyceremony-plan/1"\ntype = "{kind}"\nid = "{ceremony_id}"\n'
            f'title = "Test {kind}"\nrehearsal = {str(rehearsal).lower()}\n' + participants())


def write_plan(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(text)
    return path


def run(plan_path: Path, out: Path, prompter: ScriptedPrompter,
        inventory: Path) -> CeremonyContext:
    return run_plan(prepare(plan_path, out), prompter, inventory)


def prompter(**kwargs: object) -> ScriptedPrompter:
    return ScriptedPrompter(pins={ROOT_TOKEN: DEMO_PIN, "spare": DEMO_PIN}, **kwargs)  # type: ignore[arg-type]


def shares_from(notebooks: dict[str, tuple[str, ...]], *holders: str) -> list[str]:
    return [" ".join(notebooks[h]) for h in holders]


def crl_plan(root: Path, revoke: tuple[tuple[str, str, Path | None], ...] = (),
             previous: Path | None = None) -> str:
    text = (header("crl", "test-crl")
            + f'\n[token]\nmodule = "{default_module()}"\nlabel = "{ROOT_TOKEN}"\n'
            + f'\n[issuer]\ncertificate = "{root / "root-ca.pem"}"\nkey_label = "{ROOT_KEY}"\n'
            + "\n[crl]\nnext_update_days = 30\n")
    if previous is not None:
        text += f'previous = "{previous}"\n'
    for serial, reason, certificate in revoke:
        text += f'\n[[crl.revoke]]\nserial = "{serial}"\nreason = "{reason}"\n'
        if certificate is not None:
            text += f'certificate = "{certificate}"\n'
    return text


def share_table(name: str, check_value: str | None, holders: tuple[str, ...] = CUSTODIANS,
                threshold: int = 3) -> str:
    names = ", ".join(f'"{h}"' for h in holders)
    text = f"\n[{name}]\nthreshold = {threshold}\nholders = [{names}]\n"
    if check_value is not None:
        text += f'check_value = "{check_value}"\n'
    return text
