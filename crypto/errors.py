"""Domain errors of the crypto package.

Each carries one sentence a person can act on. ``exit_status`` follows the CLI's convention:
1 when a check failed (the input was understood and refused), 2 when the input is unusable.
Vendor exceptions (python-pkcs11, cryptography, shamir-mnemonic) are translated at the
boundary with ``raise ... from``.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base of every error this package raises on purpose."""

    exit_status = 1


class UnusableInput(CryptoError):
    """A file or value that cannot be read at all (not a refusal of its content)."""

    exit_status = 2


# --- tokens ---------------------------------------------------------------------------------


class TokenError(CryptoError):
    """Something went wrong talking to the PKCS#11 module or token."""

    exit_status = 2


class ModuleNotFound(TokenError):
    """The PKCS#11 module file does not exist or will not load."""


class TokenNotFound(TokenError):
    """No token with the wanted label is present."""


class PinIncorrect(TokenError):
    """The token refused the PIN; ``tries_hint`` says what the token reported about tries left
    and ``final_try`` whether the next wrong PIN locks it."""

    exit_status = 1

    def __init__(self, message: str, tries_hint: str | None = None,
                 final_try: bool = False) -> None:
        super().__init__(message)
        self.tries_hint = tries_hint
        self.final_try = final_try


class PinLocked(TokenError):
    """The user PIN is locked after too many wrong tries."""


class MechanismNotSupported(TokenError):
    """The token does not offer a mechanism this operation needs."""


class MalformedPublicKey(TokenError):
    """The token returned a public key this tool cannot read, or not the one asked for;
    ``reason`` says what was wrong with it."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message


class DeviceRemoved(TokenError):
    """The token or its reader went away during an operation."""


class KeyExists(TokenError):
    """A key with the requested label is already in the token."""

    exit_status = 1


class KeyNotFound(TokenError):
    """No key with the requested label is in the token."""


# --- certificates, CSRs, CRLs ------------------------------------------------------------------


class ProfileError(CryptoError):
    """A certificate or CRL request breaks the profile (validity, names, extensions)."""


class CsrRejected(CryptoError):
    """A CSR was read but would not be signed."""


class LintFailed(CryptoError):
    """pkilint or our own checks found a WARNING or worse; nothing was signed."""

    def __init__(self, message: str, findings: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.findings = findings


class SignatureCheckFailed(CryptoError):
    """A signature made or read does not verify against the expected key."""


# --- shares and backups ----------------------------------------------------------------------


class ShareError(CryptoError):
    """A share (or set of shares) is wrong; ``share_number`` is 1-based where known."""

    def __init__(self, message: str, share_number: int | None = None) -> None:
        super().__init__(message)
        self.share_number = share_number


class CheckValueMismatch(CryptoError):
    """A rebuilt secret does not match the check value recorded when it was split."""


class BackupError(CryptoError):
    """A wrapped key backup cannot be written, read or restored."""
