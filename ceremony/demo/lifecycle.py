"""``demo --all``: after the three demo ceremonies, every other ceremony type in one rehearsal.

A second root, its cross-certificate from the first, an OCSP signer for the first root, an
S/MIME and a name-constrained private subordinate (each key made in an intermediate-key
ceremony first), a CRL revoking the private subordinate, a renewal of the first root, a reshare
of its backup, a restore into a spare token, a drill, and the retirement of the second root's
key. Each runs from an ordinary plan under ``plans/`` into its own folder under
``ceremonies/``, with its journal and signed transcript; the main artifacts are copied to the
top of the demo folder. The simulated custodians remember the shares handed out to them, so
the reshare, restore and drill use the shares of the ceremonies before them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from ceremony.demo.rehearsal import (
    CUSTODIANS,
    DEMO_PIN,
    DEMO_SO_PIN,
    INTERMEDIATE_TOKEN,
    ROOT_KEY,
    ROOT_TOKEN,
    DemoResult,
    plan_header,
    run_demo,
)
from ceremony.frontends.scripted import ScriptedPrompter
from ceremony.inventory.database import INVENTORY_FILE_NAME
from crypto.algorithms import KeyAlgorithm
from crypto.files import write_new_file
from crypto.softhsm import SoftHsmStore
from crypto.token import default_module

ROOT2_TOKEN = "demo-root2"
ROOT2_KEY = "demo-root2-key"
OCSP_TOKEN = "demo-ocsp"
SPARE_TOKEN = "demo-spare"
_URLS = ('crl_url = "http://crl.example.com/demo-root.crl"\n'
         'ca_issuers_url = "http://pki.example.com/demo-root.crt"\n')
# ceremony folder's artifact -> the name it is copied to at the top of the demo folder
_COPIES = {
    "demo-root2": ("root-ca.pem", "root2-ca.pem"),
    "demo-cross-root2": ("cross-certificate.pem", "root2-cross.pem"),
    "demo-ocsp-signer": ("ocsp-signer.pem", "ocsp-signer.pem"),
    "demo-sign-smime": ("intermediate-ca.pem", "smime-ca.pem"),
    "demo-sign-private": ("intermediate-ca.pem", "private-ca.pem"),
    "demo-crl-next": ("root-ca.crl", "root-ca-next.crl"),
    "demo-renew-root": ("root-ca-renewed.pem", "root-ca-renewed.pem"),
}


@dataclass
class _Lifecycle:
    """The state the plans of ``demo --all`` are written from."""

    folder: Path
    module: str
    algorithm: KeyAlgorithm
    prompter: ScriptedPrompter

    def ceremony(self, ceremony_id: str) -> Path:
        return self.folder / "ceremonies" / ceremony_id

    @property
    def root(self) -> Path:
        return self.ceremony("demo-root") / "root-ca.pem"

    def token(self, label: str) -> str:
        return f'\n[token]\nmodule = "{self.module}"\nlabel = "{label}"\n'

    def issuer(self, certificate: Path, key: str) -> str:
        return f'\n[issuer]\ncertificate = "{certificate}"\nkey_label = "{key}"\n'

    def backup(self, ceremony_id: str) -> Path:
        return self.ceremony(ceremony_id) / "backup" / f"{ROOT_KEY}.json"

    def check_value(self, ceremony_id: str) -> str:
        data = json.loads(self.backup(ceremony_id).read_text(encoding="utf-8"))
        return str(data["wrap_key_check_value"])

    def shares(self, table: str, check_value: str | None) -> str:
        holders = ", ".join(f'"{name}"' for name in CUSTODIANS)
        text = f"\n[{table}]\nthreshold = 3\nholders = [{holders}]\n"
        return text + (f'check_value = "{check_value}"\n' if check_value else "")

    def enter_shares(self, *holders: str) -> None:
        self.prompter.shares_to_enter = [" ".join(self.prompter.notebooks[h]) for h in holders]


def _root2(s: _Lifecycle) -> str:
    return (plan_header("root", "demo-root2", "Demo second root key ceremony")
            + s.token(ROOT2_TOKEN)
            + f'\n[key]\nlabel = "{ROOT2_KEY}"\nalgorithm = "{s.algorithm.value}"\n'
              'backup = "none"\n'
            + '\n[certificate]\ncountry = "XX"\norganization = "Keyceremony Demo"\n'
              'common_name = "Keyceremony Demo Root CA 2"\nvalidity_days = 7305\n')


def _cross(s: _Lifecycle) -> str:
    return (plan_header("cross-certificate", "demo-cross-root2",
                        "Demo cross-certificate: the first root cross-signs the second")
            + s.token(ROOT_TOKEN) + s.issuer(s.root, ROOT_KEY)
            + f'\n[cross]\ncertificate = "{s.ceremony("demo-root2") / "root-ca.pem"}"\n'
            + '\n[profile]\nvalidity_days = 3650\npath_length = "unlimited"\n' + _URLS)


def _ocsp(s: _Lifecycle) -> str:
    return (plan_header("ocsp-signer", "demo-ocsp-signer", "Demo OCSP signer of the first root")
            + s.token(ROOT_TOKEN) + s.issuer(s.root, ROOT_KEY)
            + f'\n[responder]\nvalidity_days = 90\ntoken = "{OCSP_TOKEN}"\n'
              'key_label = "demo-ocsp-key"\nalgorithm = "ec-p256"\n'
              'common_name = "Keyceremony Demo OCSP Responder"\n')


def _key(name: str, common_name: str) -> Callable[[_Lifecycle], str]:
    def plan(s: _Lifecycle) -> str:
        return (plan_header("intermediate-key", f"demo-{name}-key",
                            f"Demo {common_name} key ceremony")
                + s.token(INTERMEDIATE_TOKEN)
                + f'\n[key]\nlabel = "demo-{name}-key"\nalgorithm = "{s.algorithm.value}"\n'
                  'backup = "none"\n'
                + '\n[certificate]\ncountry = "XX"\norganization = "Keyceremony Demo"\n'
                  f'common_name = "{common_name}"\n')
    return plan


def _sign(name: str, profile: str) -> Callable[[_Lifecycle], str]:
    def plan(s: _Lifecycle) -> str:
        csr = s.ceremony(f"demo-{name}-key") / "intermediate-ca.csr"
        return (plan_header("sign", f"demo-sign-{name}", f"Demo signing of the {name} CA")
                + s.token(ROOT_TOKEN) + s.issuer(s.root, ROOT_KEY)
                + f'\n[csr]\nfile = "{csr}"\n'
                + f"\n[profile]\nvalidity_days = 3650\n{_URLS}{profile}")
    return plan


def _crl(s: _Lifecycle) -> str:
    private = s.ceremony("demo-sign-private") / "intermediate-ca.pem"
    serial = x509.load_pem_x509_certificate(private.read_bytes()).serial_number
    return (plan_header("crl", "demo-crl-next", "Demo CRL revoking the private CA")
            + s.token(ROOT_TOKEN) + s.issuer(s.root, ROOT_KEY)
            + f'\n[crl]\nnext_update_days = 365\nprevious = "'
              f'{s.ceremony("demo-root") / "root-ca.crl"}"\n'
            + f'\n[[crl.revoke]]\nserial = "{serial:x}"\nreason = "cessationOfOperation"\n'
              f'certificate = "{private}"\n')


def _renewal(s: _Lifecycle) -> str:
    return (plan_header("root-renewal", "demo-renew-root", "Demo renewal of the first root")
            + s.token(ROOT_TOKEN) + s.issuer(s.root, ROOT_KEY)
            + "\n[renewal]\nvalidity_days = 7305\n")


def _reshare(s: _Lifecycle) -> str:
    s.enter_shares("Carol", "Erin", "Grace")
    return (plan_header("reshare", "demo-reshare", "Demo reshare of the root backup's wrap key")
            + s.token(ROOT_TOKEN) + s.shares("shares", s.check_value("demo-root"))
            + s.shares("new_shares", None)
            + f'\n[backup]\nfile = "{s.backup("demo-root")}"\n')


def _restore(s: _Lifecycle) -> str:
    s.enter_shares("Dave", "Frank", "Carol")
    return (plan_header("restore", "demo-restore", "Demo restore of the root key into a spare "
                                                   "token")
            + f'\n[new_token]\nmodule = "{s.module}"\nlabel = "{SPARE_TOKEN}"\n'
            + f'\n[key]\nlabel = "{ROOT_KEY}"\nalgorithm = "{s.algorithm.value}"\n'
            + s.shares("shares", s.check_value("demo-reshare"))
            + f'\n[backup]\nfile = "{s.backup("demo-reshare")}"\n')


def _drill(s: _Lifecycle) -> str:
    s.enter_shares("Erin", "Grace", "Dave")
    return (plan_header("drill", "demo-drill", "Demo drill of the new share set")
            + s.shares("shares", s.check_value("demo-reshare"))
            + s.token(ROOT_TOKEN) + s.issuer(s.root, ROOT_KEY))


def _retire(s: _Lifecycle) -> str:
    return (plan_header("retire", "demo-retire-root2", "Demo retirement of the second root's key")
            + s.token(ROOT2_TOKEN) + s.issuer(s.ceremony("demo-root2") / "root-ca.pem", ROOT2_KEY)
            + '\n[retire]\nreason = "the rehearsal is over"\n')


_SMIME = 'kind = "smime"\n'
_PRIVATE = ('kind = "private"\npath_length = 0\nextended_key_usages = ["serverAuth", '
            '"clientAuth"]\npolicies = ["1.3.6.1.4.1.99999.1.1"]\n'
            'permitted_dns = ["demo.example"]\npermitted_email = ["demo.example"]\n')
# (plan file name, plan writer), in the order they run.
LIFECYCLE: tuple[tuple[str, Callable[[_Lifecycle], str]], ...] = (
    ("root2", _root2), ("cross-certificate", _cross), ("ocsp-signer", _ocsp),
    ("smime-key", _key("smime", "Keyceremony Demo S/MIME CA")),
    ("sign-smime", _sign("smime", _SMIME)),
    ("private-key", _key("private", "Keyceremony Demo Private CA")),
    ("sign-private", _sign("private", _PRIVATE)), ("crl-next", _crl), ("root-renewal", _renewal),
    ("reshare", _reshare), ("restore", _restore), ("drill", _drill), ("retire", _retire),
)


def run_lifecycle_demo(folder: Path, algorithm: KeyAlgorithm = KeyAlgorithm.EC_P384,
                       say: Callable[[str], object] = print) -> DemoResult:
    """``demo`` as it is, then every other ceremony type; returns everything made."""
    from ceremony.execution import prepare, run_plan
    from ceremony.plan import parse_plan

    pins = {label: DEMO_PIN for label in (ROOT_TOKEN, INTERMEDIATE_TOKEN, ROOT2_TOKEN,
                                          OCSP_TOKEN, SPARE_TOKEN)}
    prompter = ScriptedPrompter(pins=pins)
    first = run_demo(folder, algorithm, say, prompter)
    store = SoftHsmStore(first.folder / "softhsm")
    for label in (ROOT2_TOKEN, OCSP_TOKEN, SPARE_TOKEN):
        store.init_token(label, DEMO_PIN, DEMO_SO_PIN)
    state = _Lifecycle(first.folder, default_module(), algorithm, prompter)
    made = list(first.ceremonies)
    for name, writer in LIFECYCLE:
        path = first.folder / "plans" / f"{name}.toml"
        write_new_file(path, writer(state).encode())
        plan = parse_plan(path)
        out = state.ceremony(plan.id)
        run_plan(prepare(plan, out), prompter, first.folder / INVENTORY_FILE_NAME)
        say(f"  ceremony {plan.id}: {out}")
        made.append(out)
    files = list(first.files)
    for ceremony_id, (source, target) in _COPIES.items():
        shutil.copyfile(state.ceremony(ceremony_id) / source, first.folder / target)
        files.append(first.folder / target)
    return DemoResult(first.folder, tuple(made), tuple(files))
