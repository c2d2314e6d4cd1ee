"""The rehearsal demo: root, intermediate-key and sign ceremonies on throwaway SoftHSM tokens.

Everything lives under the demo folder: the token store, the plans (ordinary plan files a
reader can study), one folder per ceremony, the demo's own inventory, copies of the main
artifacts at the top, and the simulated custodians' shares in DEMO-SHARES.txt. The shares file
exists only because this is a rehearsal; a real ceremony never writes a share to disk. The
demo tokens' PINs guard throwaway tokens and are not secrets.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ceremony.errors import UsageError
from ceremony.frontends.scripted import ScriptedPrompter
from ceremony.inventory.database import INVENTORY_FILE_NAME
from ceremony.plan import CeremonyPlan
from crypto.algorithms import KeyAlgorithm
from crypto.files import make_private_folder, write_new_file
from crypto.softhsm import SoftHsmStore
from crypto.token import default_module, reset_module

DEMO_PIN = "demo-pin-1234"
DEMO_SO_PIN = "demo-so-pin-5678"
ROOT_TOKEN = "demo-root"
INTERMEDIATE_TOKEN = "demo-intermediate"
ROOT_KEY = "demo-root-key"
INTERMEDIATE_KEY = "demo-intermediate-key"
CUSTODIANS = ("Carol", "Dave", "Erin", "Frank", "Grace")
PEOPLE = (("Alice", "administrator"), ("Bob", "witness"), ("Olivia", "operator"),
          ("Victor", "auditor"), *((name, "custodian") for name in CUSTODIANS))


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    ceremonies: tuple[Path, ...]
    files: tuple[Path, ...]


def _participants() -> str:
    return "".join(f'\n[[participant]]\nname = "{name}"\nrole = "{role}"\n'
                   for name, role in PEOPLE)


def plan_header(kind: str, ceremony_id: str, title: str) -> str:
    """The top of a demo plan: format, type, id, title, rehearsal and the demo's people."""
    return (f'format = "keyceremony-plan/1"\ntype = "{kind}"\nid = "{ceremony_id}"\n'
            f'title = "{title}"\nrehearsal = true\nlocation = "demo (throwaway SoftHSM tokens)"\n'
            + _participants())


def _shares() -> str:
    holders = ", ".join(f'"{name}"' for name in CUSTODIANS)
    return f"\n[shares]\nthreshold = 3\nholders = [{holders}]\n"


def root_plan(algorithm: KeyAlgorithm, module: str) -> str:
    return (plan_header("root", "demo-root", "Demo root key ceremony")
            + f'\n[token]\nmodule = "{module}"\nlabel = "{ROOT_TOKEN}"\n'
            + f'\n[key]\nlabel = "{ROOT_KEY}"\nalgorithm = "{algorithm.value}"\n'
              'backup = "wrapped"\n'
            + _shares()
            + '\n[certificate]\ncountry = "XX"\norganization = "Keyceremony Demo"\n'
              'common_name = "Keyceremony Demo Root CA"\nvalidity_days = 7305\n'
            + "\n[crl]\nnext_update_days = 365\n")


def intermediate_plan(algorithm: KeyAlgorithm, module: str) -> str:
    return (plan_header("intermediate-key", "demo-intermediate-key",
                    "Demo intermediate CA key ceremony")
            + f'\n[token]\nmodule = "{module}"\nlabel = "{INTERMEDIATE_TOKEN}"\n'
            + f'\n[key]\nlabel = "{INTERMEDIATE_KEY}"\nalgorithm = "{algorithm.value}"\n'
              'backup = "none"\n'
            + '\n[certificate]\ncountry = "XX"\norganization = "Keyceremony Demo"\n'
              'common_name = "Keyceremony Demo Issuing CA"\n')


def sign_plan(module: str, root_certificate: Path, csr: Path) -> str:
    return (plan_header("sign", "demo-sign", "Demo signing of the intermediate CA")
            + f'\n[token]\nmodule = "{module}"\nlabel = "{ROOT_TOKEN}"\n'
            + f'\n[issuer]\ncertificate = "{root_certificate}"\nkey_label = "{ROOT_KEY}"\n'
            + f'\n[csr]\nfile = "{csr}"\n'
            + '\n[profile]\nvalidity_days = 3650\npath_length = 0\n'
              'crl_url = "http://crl.example.com/demo-root.crl"\n'
              'ca_issuers_url = "http://pki.example.com/demo-root.crt"\n'
              'extended_key_usages = ["serverAuth", "clientAuth"]\n'
              'policies = ["2.23.140.1.2.1"]\n')


CEREMONY_ORDER = ("root", "intermediate-key", "sign")


@dataclass
class Rehearsal:
    """A demo folder with its throwaway token store, and the plans of its ceremonies.

    The CLI's demo answers with simulated people; the desktop app's rehearsal lets the people in
    the room answer. Both prepare, write plans and choose folders here. Use as a context
    manager: on exit the process goes back to the token store it used before.
    """

    folder: Path
    algorithm: KeyAlgorithm
    module: str
    previous_conf: str | None = None

    @classmethod
    def prepare(cls, folder: Path, algorithm: KeyAlgorithm) -> Rehearsal:
        """Check the folder is new or empty, then make the store and its two tokens."""
        folder = folder.resolve()
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise UsageError(f"{folder} is not an empty folder; the demo needs a new or empty "
                             "one")
        try:
            make_private_folder(folder)
        except OSError as ex:
            raise UsageError(f"{folder} cannot be made ({ex.strerror}); choose a folder you can "
                             "write to") from ex
        rehearsal = cls(folder, algorithm, default_module(), os.environ.get("SOFTHSM2_CONF"))
        store = SoftHsmStore.create(folder / "softhsm", rehearsal.module)
        store.activate()
        for label in (ROOT_TOKEN, INTERMEDIATE_TOKEN):
            store.init_token(label, DEMO_PIN, DEMO_SO_PIN)
        return rehearsal

    def __enter__(self) -> Rehearsal:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.previous_conf is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = self.previous_conf
        reset_module(self.module)

    @property
    def inventory(self) -> Path:
        return self.folder / INVENTORY_FILE_NAME

    def ceremony_folder(self, ceremony_id: str) -> Path:
        return self.folder / "ceremonies" / ceremony_id

    def plan_text(self, name: str) -> str:
        if name == "root":
            return root_plan(self.algorithm, self.module)
        if name == "intermediate-key":
            return intermediate_plan(self.algorithm, self.module)
        if name == "sign":
            return sign_plan(self.module,
                             self.ceremony_folder("demo-root") / "root-ca.pem",
                             self.ceremony_folder("demo-intermediate-key")
                             / "intermediate-ca.csr")
        raise ValueError(f"unknown demo ceremony {name!r}")

    def write_plan(self, name: str) -> CeremonyPlan:
        """Write the plan of ceremony ``name`` under plans/ and parse it."""
        from ceremony.plan import parse_plan

        path = self.folder / "plans" / f"{name}.toml"
        write_new_file(path, self.plan_text(name).encode())
        return parse_plan(path)


def run_demo(folder: Path, algorithm: KeyAlgorithm = KeyAlgorithm.EC_P384,
             say: object = print, prompter: ScriptedPrompter | None = None) -> DemoResult:
    """Run the three rehearsal ceremonies under ``folder`` and return what they made.

    ``prompter`` (default: a new one) answers for the people; ``demo --all`` passes its own so
    the simulated custodians remember their shares for the ceremonies that follow.
    """
    from ceremony.execution import prepare, run_plan

    rehearsal = Rehearsal.prepare(folder, algorithm)
    folder = rehearsal.folder
    prompter = prompter or ScriptedPrompter(pins={ROOT_TOKEN: DEMO_PIN,
                                                  INTERMEDIATE_TOKEN: DEMO_PIN})
    say(f"Rehearsal in {folder} ({algorithm.value}):")  # type: ignore[operator]
    made = []
    for name in CEREMONY_ORDER:
        plan = rehearsal.write_plan(name)
        out = rehearsal.ceremony_folder(plan.id)
        run_plan(prepare(plan, out), prompter, rehearsal.inventory)
        say(f"  ceremony {plan.id}: {out}")  # type: ignore[operator]
        made.append(out)
    root, intermediate, signed = made
    files = []
    for source in (root / "root-ca.pem", root / "root-ca.crl",
                   intermediate / "intermediate-ca.csr", signed / "intermediate-ca.pem"):
        target = folder / source.name
        write_new_file(target, source.read_bytes())  # 0600, like every output
        files.append(target)
    for source in sorted((root / "backup").iterdir()):
        target = folder / "backup" / source.name
        write_new_file(target, source.read_bytes())
        files.append(target)
    lines = [f"{holder}: {' '.join(words)}" for holder, words in prompter.notebooks.items()]
    shares = folder / "DEMO-SHARES.txt"
    write_new_file(shares, ("# REHEARSAL ONLY: simulated custodians' shares (3-of-5). A real "
                            "ceremony never writes shares to disk.\n"
                            + "\n".join(lines) + "\n").encode())
    files.append(shares)
    return DemoResult(folder, (root, intermediate, signed), tuple(files))
