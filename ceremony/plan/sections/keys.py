"""Reading the tables about a CA key and who keeps it: [token], [new_token], [key], [shares],
[new_shares], [certificate] and [backup]; and the plan paths every table reader resolves."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ceremony.plan import schema
from ceremony.plan.reader import Table, show
from ceremony.plan.schema import Use
from ceremony.plan.values import (
    BackupMode,
    BackupSpec,
    CeremonyType,
    CopyCheck,
    KeySpec,
    PinSource,
    ShareGroup,
    ShareSpec,
    SoftwareToken,
    TokenSpec,
)
from crypto.algorithms import KeyAlgorithm
from crypto.checkvalue import CHECK_VALUE_HEX_LENGTH
from crypto.errors import ProfileError
from crypto.module_path import default_module
from crypto.profiles import DistinguishedName, RootProfile

_CHECK_VALUE = re.compile(rf"[0-9a-f]{{{CHECK_VALUE_HEX_LENGTH}}}")


class KeyTables:
    """Readers of the key's tables, for a plan whose type is ``ceremony`` and folder ``folder``."""

    def __init__(self, folder: Path, problems: list[str]) -> None:
        self.folder = folder
        self.problems = problems
        self.ceremony: CeremonyType | None = None

    def use(self, table: Table, key: str) -> Use:
        """How the plan's type uses ``key`` of ``table``, as the schema says (without a type:
        as the schema says for most types)."""
        return schema.key(f"{table.where}.{key}").use_in(self.ceremony)

    def refused(self, table: Table, key: str) -> bool:
        return self.use(table, key) is Use.REFUSED

    def default(self, table: Table, key: str) -> str:
        """What leaving ``key`` out of ``table`` means, as the schema says."""
        return str(schema.key(f"{table.where}.{key}").default)

    def _resolve(self, text: str) -> Path:
        """A plan path: relative ones are relative to the plan file's folder."""
        return Path(os.path.normpath(self.folder / Path(text).expanduser()))

    def _file(self, table: Table, key: str, *, required: bool | None = None,
              example: str = "") -> Path | None:
        text = table.text(key, required=required, example=example)
        if text is None:
            return None
        if not text.strip():
            table.problem(key, "must not be empty; give a path (relative to the plan's folder)")
            return None
        try:
            return self._resolve(text)
        except RuntimeError:  # expanduser: "~name" of a user this machine does not know
            table.problem(key, f"{show(text)} starts with the home folder of a user this "
                               "machine does not know; give the full path")
            return None

    def _token(self, table: Table) -> TokenSpec | None:
        """[token] or [new_token]: an RFC 7512 ``uri``, or ``label`` (and ``module``), with an
        optional ``serial`` the token must have."""
        from crypto.pkcs11_uri import UriError, parse_token_uri

        uri_text = table.text("uri")
        uri = None
        if uri_text is not None:
            try:
                uri = parse_token_uri(uri_text)
            except UriError as ex:
                table.problem("uri", f"{ex}")
        if uri_text is not None:
            if table.has("label"):
                table.text("label", required=False)  # read: reported here, not as unknown
                table.problem("label", "the uri names the token already (its token= "
                                       "attribute); give one of uri and label")
            label = uri.label if uri is not None else None
        else:
            label = table.text("label", required=True, example='label = "root-ca"')
        module = table.text("module")
        if module is not None and not module.strip():
            table.problem("module", "must not be empty; leave it out to use the default "
                                    f"{default_module()}")
        if uri is not None and uri.module_path and module is not None \
                and os.path.normpath(module) != os.path.normpath(uri.module_path):
            table.problem("module", f"names another module than the uri's module-path "
                                    f"({show(uri.module_path)}); give it once")
        module = module or (uri.module_path if uri is not None else None)
        serial = table.text("serial")
        if serial is not None and (not serial.strip() or len(serial.encode()) > 16):
            table.problem("serial", "must be the token's serial number as it reports it (1 to "
                                    "16 characters)")
        if uri is not None and uri.serial is not None:
            if serial is not None and serial != uri.serial:
                table.problem("serial", "differs from the uri's serial; give it once")
            serial = uri.serial
        pin = table.choice("pin", PinSource) or PinSource(self.default(table, "pin"))
        software = (table.choice("software_token", SoftwareToken)
                    or SoftwareToken(self.default(table, "software_token")))
        table.finish(f"[{table.where}]")
        if label is None:
            return None
        return TokenSpec(label=label, module=module or default_module(), pin=pin,
                         module_named=bool(module), software_token=software, serial=serial,
                         uri=uri_text)

    def _key(self, table: Table) -> tuple[KeySpec | None, Path | None]:
        """The key (None in a reshare, whose backup names it) and its CA certificate."""
        if not self.refused(table, "certificate"):
            certificate = self._file(table, "certificate")
        else:
            table.not_used("certificate", "this ceremony makes the key; its certificate is "
                                          "issued in the ceremony, not named; remove it")
            certificate = None
        if self.refused(table, "label"):
            for unused in ("label", "algorithm", "backup"):
                table.not_used(unused, "a reshare takes the key from its backup; [key] names "
                                       "only the key's certificate; remove it")
            table.finish("[key]")
            return None, certificate
        label = table.text("label", example='label = "root-key"')
        algorithm: KeyAlgorithm | None = None
        name = table.text("algorithm", example='algorithm = "ec-p384"')
        if name is not None:
            try:
                algorithm = KeyAlgorithm.parse(name)
            except ProfileError as ex:
                table.problem("algorithm", str(ex))
        if self.refused(table, "backup"):
            table.not_used("backup", "a restored key is not backed up again (its backup "
                                     "exists); remove it")
            backup: BackupMode | None = BackupMode.NONE
        else:
            backup = table.choice("backup", BackupMode, example='backup = "wrapped"')
        table.finish("[key]")
        if label is None or algorithm is None or backup is None:
            return None, certificate
        return KeySpec(label=label, algorithm=algorithm, backup=backup), certificate

    def _shares(self, table: Table, *, new: bool) -> ShareSpec | None:
        where = table.where
        threshold = table.integer("threshold")
        holders = table.texts("holders")
        group_threshold = table.integer("group_threshold")
        groups_data = table.tables("group")
        passphrase = table.flag("passphrase") or False
        check_value: str | None = None
        copy_check = CopyCheck(self.default(table, "copy_check"))
        print_cards = False
        if self.refused(table, "check_value"):
            table.not_used("check_value", "a new share set's check value is recorded when it "
                                          "is split, not planned; remove it")
            copy_check = table.choice("copy_check", CopyCheck) or copy_check
            print_cards = table.flag("print_cards") or False
        else:
            table.not_used("copy_check", "only a new share set is handed out and its copies "
                                         "checked; remove it")
            table.not_used("print_cards", "only a new share set is handed out, so there is no "
                                          "card to print; remove it")
            text = table.text("check_value", example='check_value = "0123456789abcdef" '
                                                     "(recorded at the split)")
            if text is not None:
                check_value = text.strip().lower()
                if not _CHECK_VALUE.fullmatch(check_value):
                    table.problem("check_value", f"must be the {CHECK_VALUE_HEX_LENGTH} hex "
                                                 "digits recorded when the set was split, not "
                                                 f"{show(text)}")
        groups: list[ShareGroup] = []
        if groups_data is not None:
            if table.has("threshold") or table.has("holders"):
                table.problem(None, f"give either threshold and holders, or group_threshold "
                                    f"and [[{where}.group]] tables, not both")
            if group_threshold is None and not table.has("group_threshold"):
                table.problem("group_threshold", "missing; with groups, say how many groups "
                                                 "must reach their threshold")
            for number, data in enumerate(groups_data, 1):
                rows = schema.table(f"{where}.group")
                group = Table(data, f"{where}.group[{number}]", self.problems, rows.key_names,
                              rows.required_keys(self.ceremony))
                group_m = group.integer("threshold", example="threshold = 2")
                group_holders = group.texts("holders", example='holders = ["Ann", "Bo"]')
                group.finish(f"a [[{where}.group]] table")
                if group_m is not None and group_holders is not None:
                    groups.append(ShareGroup(group_m, group_holders))
            if not groups_data:
                table.problem("group", "must hold at least one group")
            needed = sorted(g.threshold for g in groups)[:max(group_threshold or 0, 0)]
            threshold = sum(needed)
            holders = tuple(name for g in groups for name in g.holders)
        else:
            if table.has("group_threshold"):
                table.problem("group_threshold", f"only used with [[{where}.group]] tables; "
                                                 "remove it")
            if threshold is None and not table.has("threshold"):
                table.problem("threshold", "missing; say how many shares rebuild the secret, "
                                           "like threshold = 3")
            if holders is None and not table.has("holders"):
                table.problem("holders", "missing; name the custodians who hold a share, like "
                                         'holders = ["Ann", "Bo", "Cy"]')
        table.finish(f"[{where}]")
        if threshold is None or holders is None:
            return None
        return ShareSpec(threshold=threshold, holders=holders, groups=tuple(groups),
                         group_threshold=group_threshold or 1, passphrase=passphrase,
                         check_value=check_value, copy_check=copy_check,
                         print_cards=print_cards)

    def _certificate(self, table: Table) -> tuple[DistinguishedName | None,
                                                   RootProfile | None]:
        country = table.text("country", example='country = "NL"')
        organization = table.text("organization", example='organization = "Example B.V."')
        common_name = table.text("common_name", example='common_name = "Example Root CA R1"')
        validity: int | None = None
        if self.refused(table, "validity_days"):
            table.not_used("validity_days", "the [profile] of the sign ceremony decides an "
                                            "intermediate's validity; remove it")
        else:
            validity = table.integer("validity_days", example="validity_days = 9131")
        table.finish("[certificate]")
        if country is None or organization is None or common_name is None:
            return None, None
        subject = DistinguishedName(country, organization, common_name)
        if self.ceremony is CeremonyType.ROOT and validity is not None:
            return subject, RootProfile(subject, validity)
        return subject, None

    def _backup(self, table: Table) -> BackupSpec:
        ceremony = self.ceremony
        folder: Path | None = None
        file: Path | None = None
        if self.refused(table, "folder") and ceremony is not None:
            table.not_used("folder", f"a {ceremony.value} reads a backup and writes none; "
                                     "remove it")
        else:
            folder = self._file(table, "folder")
        if self.refused(table, "file"):
            table.not_used("file", "this ceremony writes a new backup; give folder (where to "
                                   "write it) instead")
        else:
            file = self._file(table, "file",
                              example='file = "backup/root-key.json"')
        table.finish("[backup]")
        return BackupSpec(folder=folder, file=file)
