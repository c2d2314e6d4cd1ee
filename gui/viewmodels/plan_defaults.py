"""The values an example plan form holds: those of the type's example plan (no Qt).

They follow docs/examples/<type>.toml: the schema's example of each text field (the values its
placeholders show), and below, what differs by type (the people, ids and titles, share sets).
The example then passes its check except for what only the person writing the plan can know:
the files it names (CSR, issuer certificate, backup) and the check value of an existing share
set, which are left empty. Share groups are not offered by the form, so the intermediate-key
example has a plain 2-of-3 set.
"""

from __future__ import annotations

from typing import Any

from ceremony.plan import CeremonyType, PinSource, schema
from gui.viewmodels.plan_fields import FieldKind, fields_for
from gui.viewmodels.plan_values import Person

ADMINISTRATOR = Person("Anna de Vries", "administrator")
WITNESS = Person("Willem Bakker", "witness")
AUDITOR = Person("Olga Jansen", "auditor")
OPERATOR = Person("Omar Haddad", "operator")
CUSTODIANS = ("Carla Smit", "Daan Visser", "Eva Mulder", "Floor de Boer", "Gijs Peters")
NEWCOMER = "Hanna Koster"  # joins the custodians in the example reshare
LOCATION = "Vault room 2, Example Trust B.V., Amsterdam"
ORGANIZATION = "Example Trust B.V."
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


def _set(table: str, threshold: int, holders: tuple[str, ...]) -> dict[str, Any]:
    return {f"{table}.threshold": threshold, f"{table}.holders": list(holders)}


def _schema_examples(ceremony: CeremonyType) -> dict[str, Any]:
    """The schema's example of every text field and module of the form, but check values."""
    values: dict[str, Any] = {}
    for section in fields_for(ceremony):
        for spec in section.fields:
            if spec.kind is FieldKind.PARTICIPANTS or not spec.written \
                    or spec.key == "check_value":
                continue
            example = schema.key(spec.path).example
            if example and (spec.kind in (FieldKind.TEXT, FieldKind.CHOICE)
                            or spec.key == "module"):
                values[spec.path] = example
    return values


def example_values(ceremony: CeremonyType) -> dict[str, Any]:
    """The value of each field, by key path, in the example plan of ``ceremony``."""
    plan_id, title = _TITLES[ceremony]
    values = {**_schema_examples(ceremony), "id": plan_id, "title": title,
              "location": LOCATION, "token.module": MODULE, "new_token.module": MODULE}
    people = [ADMINISTRATOR]
    if ceremony is CeremonyType.ROOT:
        people += [WITNESS, AUDITOR, *_custodians(CUSTODIANS)]
        values |= {"token.pin": SHARES, **_set("shares", 3, CUSTODIANS)}
    elif ceremony is CeremonyType.INTERMEDIATE_KEY:
        people += [WITNESS, OPERATOR, *_custodians(CUSTODIANS[:3])]
        values |= {"token.label": "issuing-ca-2", "token.pin": SHARES,
                   "key.label": "issuing-ca-2-key", **_set("shares", 2, CUSTODIANS[:3]),
                   "certificate.common_name": "Example TLS Issuing CA 2"}
    elif ceremony is CeremonyType.SIGN:
        people += [WITNESS, AUDITOR, OPERATOR]
    elif ceremony is CeremonyType.ROOT_RENEWAL:
        people += [WITNESS, AUDITOR]
    elif ceremony is CeremonyType.RETIRE:
        people += [WITNESS, AUDITOR, *_custodians(CUSTODIANS)]
        values |= {**_set("shares", 3, CUSTODIANS), "retire.shares_destroyed": True}
    elif ceremony is CeremonyType.OCSP_SIGNER:
        people += [WITNESS, AUDITOR]
        values |= {"responder.validity_days": 90}
    elif ceremony is CeremonyType.CROSS_CERTIFICATE:
        people += [WITNESS, AUDITOR]
        values |= {"profile.path_length": None}
    elif ceremony is CeremonyType.CRL:
        people += [WITNESS]
    elif ceremony is CeremonyType.RESTORE:
        people += [AUDITOR, *_custodians(CUSTODIANS)]
        values |= {"new_token.label": "root-r1-b", **_set("shares", 3, CUSTODIANS)}
    elif ceremony is CeremonyType.RESHARE:
        people += [WITNESS, *_custodians((*CUSTODIANS, NEWCOMER))]
        values |= {"token.pin": SHARES, **_set("shares", 3, CUSTODIANS),
                   **_set("new_shares", 3, (*CUSTODIANS[:3], CUSTODIANS[4], NEWCOMER))}
    else:
        people += [AUDITOR, *_custodians(CUSTODIANS)]
        values |= _set("shares", 3, CUSTODIANS)
    values["participant"] = people
    return {path: value for path, value in values.items() if _offered(ceremony, path)}


def _offered(ceremony: CeremonyType, path: str) -> bool:
    return path in {spec.path for section in fields_for(ceremony) for spec in section.fields}
