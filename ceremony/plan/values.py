"""A ceremony plan: the one reviewable input of a ceremony, as frozen values.

``ceremony.plan.parser`` turns a TOML file into a ``CeremonyPlan`` (strictly: unknown keys are
errors naming their key path); ``ceremony.plan.check`` validates everything that can be known
without a token. Secrets are never part of a plan: a PIN is typed at run time or rebuilt from
a share set.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from crypto.algorithms import KeyAlgorithm
from crypto.profiles import CrlProfile, DistinguishedName, OcspSignerProfile, RootProfile
from crypto.subordinates import SubordinateProfile

PLAN_FORMAT = "keyceremony-plan/1"


class CeremonyType(Enum):
    ROOT = "root"
    INTERMEDIATE_KEY = "intermediate-key"
    SIGN = "sign"
    CRL = "crl"
    RESTORE = "restore"
    RESHARE = "reshare"
    DRILL = "drill"
    CROSS_CERTIFICATE = "cross-certificate"
    ROOT_RENEWAL = "root-renewal"
    OCSP_SIGNER = "ocsp-signer"
    RETIRE = "retire"

    @property
    def with_article(self) -> str:
        """As a sentence names it: 'a root ceremony', 'an intermediate-key ceremony'."""
        return f"{'an' if self.value[0] in 'aeiou' else 'a'} {self.value} ceremony"


class Role(Enum):
    ADMINISTRATOR = "administrator"
    WITNESS = "witness"
    AUDITOR = "auditor"
    CUSTODIAN = "custodian"
    OPERATOR = "operator"


class PinSource(Enum):
    TYPED = "typed"  # typed by the administrator at run time, never echoed
    SHARES = "shares"  # rebuilt from the plan's share set (a quorum of custodians)


class SoftwareToken(Enum):
    """Whether a real (non-rehearsal) ceremony may run on a software token such as SoftHSM,
    whose keys are files on the host's disk, or on a module the plan leaves to the default."""

    REFUSED = "refused"
    ACCEPTED = "accepted"  # run, journaled as a deviation


class CopyCheck(Enum):
    """How a custodian proves their paper copy of a new share at hand-out."""

    WHOLE = "whole"  # type the whole share back (a word or a prefix naming only it); all compared
    SAMPLED = "sampled"  # type back three words at random positions


class BackupMode(Enum):
    WRAPPED = "wrapped"
    NONE = "none"


@dataclass(frozen=True)
class Participant:
    name: str
    role: Role


@dataclass(frozen=True)
class TokenSpec:
    """Which token, and how its PIN is obtained. ``module`` defaults to
    ``$KEYCEREMONY_PKCS11_MODULE`` or SoftHSM; ``module_named`` says whether the plan names it."""

    label: str
    module: str
    pin: PinSource = PinSource.TYPED
    module_named: bool = True
    software_token: SoftwareToken = SoftwareToken.REFUSED
    serial: str | None = None  # when given, the token's serial number must be this
    uri: str | None = None  # the plan's RFC 7512 URI, as written, when it used one

    @property
    def display_uri(self) -> str:
        """The token as an RFC 7512 PKCS#11 URI (label and serial), for people to read."""
        from crypto.pkcs11_uri import token_uri

        return token_uri(self.label, serial=self.serial)

    @property
    def full_uri(self) -> str:
        """The token's URI with the module it is reached through (``?module-path=``)."""
        from crypto.pkcs11_uri import token_uri

        return token_uri(self.label, serial=self.serial, module_path=self.module)


@dataclass(frozen=True)
class KeySpec:
    """The CA key a ceremony makes. In a restore plan: the key in the backup (``label`` and
    ``algorithm`` are checked against the backup's metadata; ``backup`` is NONE)."""

    label: str
    algorithm: KeyAlgorithm
    backup: BackupMode


@dataclass(frozen=True)
class ShareGroup:
    threshold: int
    holders: tuple[str, ...]


@dataclass(frozen=True)
class ShareSpec:
    """M-of-N among named custodians; or groups with a group threshold (an extension).

    Without groups, ``threshold`` of ``holders`` rebuild the secret. With groups,
    ``group_threshold`` groups must each reach their own threshold; then ``holders`` lists every
    holder of every group (in plan order) and ``threshold`` is the fewest holders that can form
    a quorum (the ``group_threshold`` smallest group thresholds added up).
    """

    threshold: int
    holders: tuple[str, ...]
    groups: tuple[ShareGroup, ...] = ()
    group_threshold: int = 1
    passphrase: bool = False  # custodians agree a passphrase typed at run time
    check_value: str | None = None  # restore/reshare/drill: the value recorded at the split
    copy_check: CopyCheck = CopyCheck.WHOLE  # a new set: how each copy is proven at hand-out
    print_cards: bool = False  # a new set: the app may print each share as a card on paper


@dataclass(frozen=True)
class IssuerSpec:
    """The CA a sign or crl ceremony operates: its certificate file and key label."""

    certificate: Path
    key_label: str


@dataclass(frozen=True)
class CrossSpec:
    """cross-certificate: the CA cross-signed, from its own certificate or from a CSR (one)."""

    certificate: Path | None = None
    csr: Path | None = None


@dataclass(frozen=True)
class RenewalSpec:
    """root-renewal: the renewed root certificate's validity (key and subject stay)."""

    validity_days: int


@dataclass(frozen=True)
class ResponderSpec:
    """ocsp-signer: the responder's key, from a CSR or made in a token, and its validity.

    With ``csr`` the subject and key are the CSR's. Otherwise the key ``key_label`` is made in
    the token ``token`` (with [token]'s module; its PIN typed) and the subject is the issuer's
    names before its common name, then ``common_name``.
    """

    profile: OcspSignerProfile
    csr: Path | None = None
    token: str | None = None
    key_label: str | None = None
    algorithm: KeyAlgorithm | None = None
    common_name: str | None = None


@dataclass(frozen=True)
class RetireSpec:
    """retire: why the [issuer]'s key is destroyed, and whether the custodians destroy their
    share copies too (the backup's destruction is recorded when [backup] names it)."""

    reason: str
    shares_destroyed: bool = False


@dataclass(frozen=True)
class RevocationSpec:
    serial: int
    reason: str
    certificate: Path | None = None


@dataclass(frozen=True)
class BackupSpec:
    """Where wrapped backups are written (root, intermediate-key) or read (restore, reshare)."""

    folder: Path | None = None  # also copy written backups here; None: no copy
    file: Path | None = None  # restore/reshare: the backup's .json metadata file


@dataclass(frozen=True)
class CeremonyPlan:
    """Everything a ceremony needs except secrets; paths are resolved against the plan's folder."""

    path: Path
    sha256: str
    type: CeremonyType
    id: str
    title: str
    rehearsal: bool
    participants: tuple[Participant, ...]
    location: str = ""
    token: TokenSpec | None = None
    key: KeySpec | None = None
    shares: ShareSpec | None = None
    # reshare: the new set handed out ([new_shares]); ``shares`` is then the old set that
    # rebuilds the old wrap key.
    new_shares: ShareSpec | None = None
    subject: DistinguishedName | None = None
    root_profile: RootProfile | None = None
    subordinate_profile: SubordinateProfile | None = None
    crl: CrlProfile | None = None
    revocations: tuple[RevocationSpec, ...] = ()
    # crl: the CRL this one replaces ([crl] previous); its entries are carried over
    previous_crl: Path | None = None
    csr_file: Path | None = None
    issuer: IssuerSpec | None = None
    backup: BackupSpec | None = None
    new_token: TokenSpec | None = None  # restore: the fresh token to restore into
    # restore, reshare: [key] certificate, the CA certificate of the key in the backup; the
    # transcript signer is then issued under its name and chains like any other
    key_certificate: Path | None = None
    cross: CrossSpec | None = None  # cross-certificate: the CA cross-signed
    renewal: RenewalSpec | None = None  # root-renewal
    responder: ResponderSpec | None = None  # ocsp-signer
    retire: RetireSpec | None = None  # retire

    def people(self, role: Role) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.role is role)

    def person(self, name: str) -> Participant | None:
        return next((p for p in self.participants if p.name == name), None)
