"""The three tokens the tests run on, each set up here in a temporary folder.

``TokenKind`` names them; ``TokenFactory.make(label)`` makes a fresh token of the kind with that
label and returns how to reach it. SoftHSM is a token store per test; tpm2-pkcs11 one swtpm (and
its resource manager) per test session with a token per test; NSS softokn one database per token
behind p11-kit's proxy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from crypto.softhsm import SoftHsmStore
from crypto.token import DEFAULT_MODULE, open_token, reset_module
from tests.tokens.nss import P11_KIT_PROXY, NssPool
from tests.tokens.tpm2 import TPM2_MODULE, Tpm2Store

USER_PIN = "123456"
SO_PIN = "87654321"


class TokenKind(StrEnum):
    SOFTHSM = "softhsm"
    TPM2 = "tpm2"
    NSS = "nss"


@dataclass(frozen=True)
class MadeToken:
    """How to reach one fresh token."""

    kind: TokenKind
    module: str
    label: str
    pin: str = USER_PIN


@dataclass
class TokenFactory:
    """Makes fresh tokens of one kind for one test, and removes what it made afterwards."""

    kind: TokenKind
    folder: Path
    tpm2: Tpm2Store | None = None
    nss: NssPool | None = None
    softhsm: SoftHsmStore | None = None
    _nss: list[str] = field(default_factory=list)
    _tpm2_store_made: bool = False

    @property
    def module(self) -> str:
        return {TokenKind.SOFTHSM: DEFAULT_MODULE, TokenKind.TPM2: TPM2_MODULE,
                TokenKind.NSS: P11_KIT_PROXY}[self.kind]

    def make(self, label: str) -> MadeToken:
        if self.kind is TokenKind.SOFTHSM:
            if self.softhsm is None:
                self.softhsm = SoftHsmStore.create(self.folder / "softhsm")
                self.softhsm.activate()
            self.softhsm.init_token(label, USER_PIN, SO_PIN)
        elif self.kind is TokenKind.TPM2:
            assert self.tpm2 is not None
            if not self._tpm2_store_made:
                self.tpm2.new_store(self.folder / "tpm2-store")
                self._tpm2_store_made = True
            self.tpm2.add_token(label, USER_PIN)
            reset_module(TPM2_MODULE)  # tpm2-pkcs11 reads its store when initialised
        else:
            assert self.nss is not None
            if label not in self.nss.labels or label in self._nss:
                raise ValueError(f"NSS test tokens are made once per session: use one of "
                                 f"{self.nss.labels} (tests/tokens/nss.py), once per test")
            self._nss.append(label)
        return MadeToken(self.kind, self.module, label)

    def close(self) -> None:
        for label in self._nss:  # leave the session's NSS tokens empty for the next test
            with open_token(P11_KIT_PROXY, label, USER_PIN) as session:
                for obj in list(session.session.get_objects()):
                    obj.destroy()
        reset_module(self.module)
        if self.softhsm is not None:
            self.softhsm.activate()  # finalize so the next test's store is read afresh
