"""Reading the tables about what an existing CA signs or does: [issuer], [csr], [profile],
[crl] (with its revocations), [cross], [renewal], [responder] and [retire]."""

from __future__ import annotations

import re
from pathlib import Path

from ceremony.plan import schema
from ceremony.plan.reader import MISSING, Table, show
from ceremony.plan.sections.keys import KeyTables
from ceremony.plan.values import (
    CrossSpec,
    IssuerSpec,
    RenewalSpec,
    ResponderSpec,
    RetireSpec,
    RevocationSpec,
)
from crypto.algorithms import KeyAlgorithm
from crypto.errors import ProfileError
from crypto.profiles import ALLOWED_REASONS, CRL_MAX_DAYS, CrlProfile, OcspSignerProfile
from crypto.subordinates import (
    KIND_RULES,
    NameConstraintsProfile,
    SubordinateKind,
    SubordinateProfile,
)

_MAX_SERIAL_BITS = 159  # RFC 5280 4.1.2.2: at most 20 octets, positive
_REVOKE = schema.table("crl.revoke")


class SectionReader(KeyTables):
    """Readers of every table of a plan: the key's (``KeyTables``) and the issuing CA's."""

    def _crl(self, table: Table) -> tuple[CrlProfile | None, tuple[RevocationSpec, ...],
                                          Path | None]:
        days = table.integer("next_update_days")
        revocations: list[RevocationSpec] = []
        previous: Path | None = None
        if self.refused(table, "previous"):
            table.not_used("previous", "a new root has no earlier CRL; remove it")
            table.not_used("revoke", "a new root has issued nothing to revoke; remove it")
        else:
            previous = self._file(table, "previous")
            for number, data in enumerate(table.tables("revoke") or [], 1):
                entry = self._revocation(Table(data, f"crl.revoke[{number}]", self.problems,
                                               _REVOKE.key_names, _REVOKE.required_keys(None)))
                if entry is not None:
                    revocations.append(entry)
        table.finish("[crl]")
        return CrlProfile(CRL_MAX_DAYS if days is None else days), tuple(revocations), previous

    def _revocation(self, table: Table) -> RevocationSpec | None:
        text = table.text("serial", example='serial = "4e3a0f1c"')
        serial = _parse_serial(text) if text is not None else None
        if text is not None and serial is None:
            table.problem("serial", "must be a positive hexadecimal serial number of at most "
                                    f'20 octets, like "4e3a0f1c" (colons allowed), not '
                                    f"{show(text)}")
        reason = table.text("reason", example='reason = "cessationOfOperation"')
        if reason is not None and reason not in ALLOWED_REASONS:
            table.problem("reason", f"must be one of {', '.join(ALLOWED_REASONS)}, not "
                                    f"{show(reason)}")
        certificate = self._file(table, "certificate")
        table.finish("a [[crl.revoke]] table")
        if serial is None or reason is None or reason not in ALLOWED_REASONS:
            return None
        return RevocationSpec(serial=serial, reason=reason, certificate=certificate)

    def _csr(self, table: Table) -> Path | None:
        path = self._file(table, "file", example='file = "requests/issuing-ca.csr"')
        table.finish("[csr]")
        return path

    def _profile(self, table: Table) -> SubordinateProfile | None:
        kind = table.choice("kind", SubordinateKind) or SubordinateKind(
            self.default(table, "kind"))
        validity = table.integer("validity_days", example="validity_days = 1826")
        path_length: int | None = 0
        raw = table.raw("path_length")
        if raw == "unlimited":
            path_length = None
        elif raw is not MISSING:
            path_length = table.integer("path_length", kind='a whole number or "unlimited"')
        crl_url = table.text("crl_url", example='crl_url = "http://crl.example.com/root.crl"')
        ca_issuers_url = table.text("ca_issuers_url",
                                    example='ca_issuers_url = "http://crt.example.com/root.crt"')
        ocsp_url = table.text("ocsp_url")
        usages = table.texts("extended_key_usages")
        policies = table.texts("policies")
        names = {key: table.texts(key) or ()
                 for key in ("permitted_dns", "excluded_dns", "permitted_email")}
        table.finish("[profile]")
        if validity is None or crl_url is None or ca_issuers_url is None:
            return None
        rules = KIND_RULES[kind]
        return SubordinateProfile(
            validity_days=validity, crl_url=crl_url, ca_issuers_url=ca_issuers_url,
            path_length=path_length,
            extended_key_usages=rules.default_ekus if usages is None else usages,
            policies=rules.default_policies if policies is None else policies,
            ocsp_url=ocsp_url, kind=kind,
            name_constraints=NameConstraintsProfile(**names) if any(names.values()) else None,
        )

    def _cross(self, table: Table) -> CrossSpec | None:
        certificate = self._file(table, "certificate")
        csr = self._file(table, "csr")
        if table.has("certificate") == table.has("csr"):
            table.problem(None, "give the cross-signed CA's own certificate (certificate = "
                                '"root-r2.pem") or its CSR (csr = "root-r2.csr"), one of them')
        table.finish("[cross]")
        if certificate is None and csr is None:
            return None
        return CrossSpec(certificate=certificate, csr=csr)

    def _renewal(self, table: Table) -> RenewalSpec | None:
        days = table.integer("validity_days", example="validity_days = 9131")
        table.finish("[renewal]")
        return None if days is None else RenewalSpec(days)

    def _responder(self, table: Table) -> ResponderSpec | None:
        days = table.integer("validity_days")
        csr = self._file(table, "csr")
        generated = ("token", "key_label", "algorithm", "common_name")
        texts = {key: table.text(key) for key in generated}
        algorithm: KeyAlgorithm | None = None
        if texts["algorithm"] is not None:
            try:
                algorithm = KeyAlgorithm.parse(texts["algorithm"])
            except ProfileError as ex:
                table.problem("algorithm", str(ex))
        if table.has("csr"):
            for key in generated:
                if table.has(key):
                    table.problem(key, "not used with csr (the CSR's key and subject are "
                                       "used); remove it")
        else:
            for key in generated:
                if not table.has(key):
                    table.problem(key, "missing; give csr = \"responder.csr\", or token, "
                                       "key_label, algorithm and common_name to make the "
                                       "responder's key in a token")
        table.finish("[responder]")
        if self.problems:
            return None
        return ResponderSpec(OcspSignerProfile() if days is None else OcspSignerProfile(days),
                             csr=csr, token=texts["token"], key_label=texts["key_label"],
                             algorithm=algorithm, common_name=texts["common_name"])

    def _retire(self, table: Table) -> RetireSpec | None:
        reason = table.text("reason", example='reason = "superseded by Example Root CA R2"')
        if reason is not None and not reason.strip():
            table.problem("reason", "must not be empty; say why the key is destroyed")
        destroyed = table.flag("shares_destroyed") or False
        table.finish("[retire]")
        return None if reason is None else RetireSpec(reason, destroyed)

    def _issuer(self, table: Table) -> IssuerSpec | None:
        certificate = self._file(table, "certificate", example='certificate = "root.pem"')
        key_label = table.text("key_label", example='key_label = "root-key"')
        table.finish("[issuer]")
        if certificate is None or key_label is None:
            return None
        return IssuerSpec(certificate=certificate, key_label=key_label)


def _parse_serial(text: str) -> int | None:
    digits = text.strip().lower().removeprefix("0x").replace(":", "")
    if not re.fullmatch(r"[0-9a-f]+", digits):
        return None
    serial = int(digits, 16)
    return serial if 0 < serial and serial.bit_length() <= _MAX_SERIAL_BITS else None

