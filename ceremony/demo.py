"""The rehearsal demo: root, intermediate-key and sign ceremonies on throwaway SoftHSM tokens.

Everything lives under the demo folder: the token store, the plans (ordinary plan files a
reader can study), one folder per ceremony, the demo's own inventory, copies of the main
artifacts at the top, and the simulated custodians' shares in DEMO-SHARES.txt. The shares file
exists only because this is a rehearsal; a real ceremony never writes a share to disk. The
demo tokens' PINs guard throwaway tokens and are not secrets.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ceremony.errors import UsageError
from ceremony.scripted import ScriptedPrompter
from crypto.algorithms import KeyAlgorithm
from crypto.files import write_new_file
from crypto.softhsm import SoftHsmStore
from crypto.token import default_module

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


def _header(kind: str, ceremony_id: str, title: str) -> str:
    return (f'format = "keyceremony-plan/1"\ntype = "{kind}"\nid = "{ceremony_id}"\n'
            f'title = "{title}"\nrehearsal = true\nlocation = "demo (throwaway SoftHSM tokens)"\n'
            + _participants())


def _shares() -> str:
    holders = ", ".join(f'"{name}"' for name in CUSTODIANS)
    return f"\n[shares]\nthreshold = 3\nholders = [{holders}]\n"


def root_plan(algorithm: KeyAlgorithm, module: str) -> str:
    return (_header("root", "demo-root", "Demo root key ceremony")
            + f'\n[token]\nmodule = "{module}"\nlabel = "{ROOT_TOKEN}"\n'
            + f'\n[key]\nlabel = "{ROOT_KEY}"\nalgorithm = "{algorithm.value}"\n'
              'backup = "wrapped"\n'
            + _shares()
            + '\n[certificate]\ncountry = "XX"\norganization = "Keyceremony Demo"\n'
              'common_name = "Keyceremony Demo Root CA"\nvalidity_days = 7305\n'
            + "\n[crl]\nnext_update_days = 365\n")


def intermediate_plan(algorithm: KeyAlgorithm, module: str) -> str:
    return (_header("intermediate-key", "demo-intermediate-key",
                    "Demo intermediate CA key ceremony")
            + f'\n[token]\nmodule = "{module}"\nlabel = "{INTERMEDIATE_TOKEN}"\n'
            + f'\n[key]\nlabel = "{INTERMEDIATE_KEY}"\nalgorithm = "{algorithm.value}"\n'
              'backup = "none"\n'
            + '\n[certificate]\ncountry = "XX"\norganization = "Keyceremony Demo"\n'
              'common_name = "Keyceremony Demo Issuing CA"\n')


def sign_plan(module: str, root_certificate: Path, csr: Path) -> str:
    return (_header("sign", "demo-sign", "Demo signing of the intermediate CA")
            + f'\n[token]\nmodule = "{module}"\nlabel = "{ROOT_TOKEN}"\n'
            + f'\n[issuer]\ncertificate = "{root_certificate}"\nkey_label = "{ROOT_KEY}"\n'
            + f'\n[csr]\nfile = "{csr}"\n'
            + '\n[profile]\nvalidity_days = 3650\npath_length = 0\n'
              'crl_url = "http://crl.example.com/demo-root.crl"\n'
              'ca_issuers_url = "http://pki.example.com/demo-root.crt"\n'
              'extended_key_usages = ["serverAuth", "clientAuth"]\n'
              'policies = ["2.23.140.1.2.1"]\n')


def _prepare_folder(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder} is not an empty folder; the demo needs a new or empty one")
    folder.mkdir(parents=True, exist_ok=True)


def run_demo(folder: Path, algorithm: KeyAlgorithm = KeyAlgorithm.EC_P384,
             say: object = print) -> DemoResult:
    """Run the three rehearsal ceremonies under ``folder`` and return what they made."""
    from ceremony.execution import run_plan
    from ceremony.plan_parser import parse_plan

    folder = folder.resolve()
    _prepare_folder(folder)
    module = default_module()
    store = SoftHsmStore.create(folder / "softhsm", module)
    store.activate()
    for label in (ROOT_TOKEN, INTERMEDIATE_TOKEN):
        store.init_token(label, DEMO_PIN, DEMO_SO_PIN)
    plans = folder / "plans"
    ceremonies = folder / "ceremonies"
    inventory = folder / "inventory.sqlite3"
    prompter = ScriptedPrompter(pins={ROOT_TOKEN: DEMO_PIN, INTERMEDIATE_TOKEN: DEMO_PIN})

    def run(name: str, text: str) -> Path:
        path = plans / f"{name}.toml"
        write_new_file(path, text.encode())
        plan = parse_plan(path)
        out = ceremonies / plan.id
        run_plan(plan, out, prompter, inventory)
        say(f"  ceremony {plan.id}: {out}")  # type: ignore[operator]
        return out

    say(f"Rehearsal in {folder} ({algorithm.value}):")  # type: ignore[operator]
    root = run("root", root_plan(algorithm, module))
    intermediate = run("intermediate-key", intermediate_plan(algorithm, module))
    signed = run("sign", sign_plan(module, root / "root-ca.pem",
                                   intermediate / "intermediate-ca.csr"))
    files = []
    for source in (root / "root-ca.pem", root / "root-ca.crl",
                   intermediate / "intermediate-ca.csr", signed / "intermediate-ca.pem"):
        target = folder / source.name
        shutil.copyfile(source, target)
        files.append(target)
    shutil.copytree(root / "backup", folder / "backup")
    files.extend(sorted((folder / "backup").iterdir()))
    lines = [f"{holder}: {' '.join(words)}" for holder, words in prompter.notebooks.items()]
    shares = folder / "DEMO-SHARES.txt"
    write_new_file(shares, ("# REHEARSAL ONLY: simulated custodians' shares (3-of-5). A real "
                            "ceremony never writes shares to disk.\n"
                            + "\n".join(lines) + "\n").encode())
    files.append(shares)
    return DemoResult(folder, (root, intermediate, signed), tuple(files))
