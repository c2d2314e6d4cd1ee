"""The values a new plan form starts with: those of the type's example plan (no Qt).

They follow docs/examples/<type>.toml, so a new form passes its check except for what only the
person writing the plan can know: the files it names (CSR, issuer certificate, backup) and the
check value of an existing share set, which are left empty. Share groups are not offered by
the form, so the intermediate-key form starts with a plain 2-of-3 set.
"""

from __future__ import annotations

from ceremony.plan import CeremonyType, PinSource
from gui.viewmodels.plan_form import (
    CertificateFields,
    IssuerFields,
    KeyFields,
    Person,
    PlanForm,
    ProfileFields,
    ResponderFields,
    RetireFields,
    ShareFields,
    TokenFields,
)

ADMINISTRATOR = Person("Anna de Vries", "administrator")
WITNESS = Person("Willem Bakker", "witness")
AUDITOR = Person("Olga Jansen", "auditor")
OPERATOR = Person("Omar Haddad", "operator")
CUSTODIANS = ("Carla Smit", "Daan Visser", "Eva Mulder", "Floor de Boer", "Gijs Peters")
NEWCOMER = "Hanna Koster"  # joins the custodians in the example reshare
LOCATION = "Vault room 2, Example Trust B.V., Amsterdam"
ORGANIZATION = "Example Trust B.V."
ROOT_TOKEN = "root-r1"
ROOT_KEY = "root-key"
# The examples' HSM module: a real ceremony names its module (SoftHSM needs an explicit line).
MODULE = "/usr/lib/x86_64-linux-gnu/pkcs11/yubihsm_pkcs11.so"
SHARES = PinSource.SHARES.value  # a backed-up key's token opens only for a quorum

_TITLES = {
    CeremonyType.ROOT: ("root-r1", "Example Root CA R1: root key generation ceremony"),
    CeremonyType.INTERMEDIATE_KEY: ("issuing-ca-2-key", "Example TLS Issuing CA 2: key "
                                                        "generation"),
    CeremonyType.SIGN: ("sign-issuing-ca-2", "Example Root CA R1 signs Example TLS Issuing "
                                             "CA 2"),
    CeremonyType.CRL: ("crl-root-r1", "Example Root CA R1: CRL reissue"),
    CeremonyType.RESTORE: ("restore-root-r1", "Example Root CA R1: restore the root key into "
                                              "a replacement token"),
    CeremonyType.RESHARE: ("reshare-root-r1", "Example Root CA R1: reshare the backup wrap "
                                              "key"),
    CeremonyType.DRILL: ("drill-root-r1", "Example Root CA R1: share drill"),
    CeremonyType.CROSS_CERTIFICATE: ("cross-root-r2", "Example Root CA R1 cross-signs Example "
                                                      "Root CA R2"),
    CeremonyType.ROOT_RENEWAL: ("renew-root-r1", "Example Root CA R1: root certificate renewal"),
    CeremonyType.OCSP_SIGNER: ("ocsp-signer-root-r1", "Example Root CA R1: OCSP responder "
                                                      "certificate"),
    CeremonyType.RETIRE: ("retire-root-r1", "Example Root CA R1: retirement of the root key"),
}


def _custodians(names: tuple[str, ...]) -> list[Person]:
    return [Person(name, "custodian") for name in names]


def _set(threshold: int, holders: tuple[str, ...]) -> ShareFields:
    return ShareFields(threshold=threshold, holders=list(holders))


def example_form(ceremony: CeremonyType) -> PlanForm:
    """A form for ``ceremony`` with its example plan's values."""
    plan_id, title = _TITLES[ceremony]
    form = PlanForm(ceremony, id=plan_id, title=title, location=LOCATION)
    form.token = TokenFields(label=ROOT_TOKEN, module=MODULE)
    form.issuer = IssuerFields(key_label=ROOT_KEY)
    form.key = KeyFields(label=ROOT_KEY)
    form.certificate = CertificateFields(country="NL", organization=ORGANIZATION,
                                         common_name="Example Root CA R1")
    form.profile = ProfileFields(crl_url="http://crl.example.com/root-r1.crl",
                                 ca_issuers_url="http://crt.example.com/root-r1.crt")
    people = [ADMINISTRATOR]
    if ceremony is CeremonyType.ROOT:
        people += [WITNESS, AUDITOR, *_custodians(CUSTODIANS)]
        form.token = TokenFields(label=ROOT_TOKEN, pin=SHARES, module=MODULE)
        form.shares = _set(3, CUSTODIANS)
    elif ceremony is CeremonyType.INTERMEDIATE_KEY:
        people += [WITNESS, OPERATOR, *_custodians(CUSTODIANS[:3])]
        form.token = TokenFields(label="issuing-ca-2", pin=SHARES, module=MODULE)
        form.key = KeyFields(label="issuing-ca-2-key")
        form.shares = _set(2, CUSTODIANS[:3])
        form.certificate = CertificateFields(country="NL", organization=ORGANIZATION,
                                             common_name="Example TLS Issuing CA 2")
    elif ceremony is CeremonyType.SIGN:
        people += [WITNESS, AUDITOR, OPERATOR]
    elif ceremony is CeremonyType.ROOT_RENEWAL:
        people += [WITNESS, AUDITOR]
    elif ceremony is CeremonyType.RETIRE:
        people += [WITNESS, AUDITOR, *_custodians(CUSTODIANS)]
        form.shares = _set(3, CUSTODIANS)
        form.retire = RetireFields(reason="superseded by Example Root CA R2",
                                   shares_destroyed=True)
    elif ceremony is CeremonyType.OCSP_SIGNER:
        people += [WITNESS, AUDITOR]
        form.responder = ResponderFields(validity_days=90, token="ocsp-r1",
                                         key_label="ocsp-key", algorithm="ec-p256",
                                         common_name="Example Root CA R1 OCSP Responder 1")
    elif ceremony is CeremonyType.CROSS_CERTIFICATE:
        people += [WITNESS, AUDITOR]
        form.profile = ProfileFields(path_length=None,
                                     crl_url="http://crl.example.com/root-r1.crl",
                                     ca_issuers_url="http://crt.example.com/root-r1.crt")
    elif ceremony is CeremonyType.CRL:
        people += [WITNESS]
    elif ceremony is CeremonyType.RESTORE:
        people += [AUDITOR, *_custodians(CUSTODIANS)]
        form.new_token = TokenFields(label="root-r1-b", module=MODULE)
        form.shares = _set(3, CUSTODIANS)
    elif ceremony is CeremonyType.RESHARE:
        people += [WITNESS, *_custodians((*CUSTODIANS, NEWCOMER))]
        form.token = TokenFields(label=ROOT_TOKEN, pin=SHARES, module=MODULE)
        form.shares = _set(3, CUSTODIANS)
        form.new_shares = _set(3, (*CUSTODIANS[:3], CUSTODIANS[4], NEWCOMER))
    else:
        people += [AUDITOR, *_custodians(CUSTODIANS)]
        form.shares = _set(3, CUSTODIANS)
    form.participant = people
    return form
