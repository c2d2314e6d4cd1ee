"""The journal's events: the closed set of what a record can say happened."""

from __future__ import annotations

from enum import StrEnum


class Event(StrEnum):
    """What a record says happened; the catalogue is documented in docs/journal-format.md."""

    CEREMONY_STARTED = "ceremony-started"
    ENVIRONMENT_RECORDED = "environment-recorded"
    STEP_STARTED = "step-started"
    STEP_COMPLETED = "step-completed"
    STEP_REFUSED = "step-refused"
    SIGN_OFF = "sign-off"
    DEVIATION = "deviation"
    TOKEN_LOGIN = "token-login"
    TOKEN_LOGIN_FAILED = "token-login-failed"
    TOKEN_INFO = "token-info"
    KEY_GENERATION_STARTED = "key-generation-started"  # before the token makes the key
    KEY_GENERATED = "key-generated"
    KEY_BACKED_UP = "key-backed-up"
    KEY_RESTORE_STARTED = "key-restore-started"  # before a backup is unwrapped into a token
    KEY_RESTORED = "key-restored"
    CERTIFICATE_ISSUED = "certificate-issued"
    CRL_ISSUED = "crl-issued"
    CERTIFICATE_REVOKED = "certificate-revoked"
    LINT_RESULT = "lint-result"
    SIGNING_CONFIRMED = "signing-confirmed"
    SHARES_CREATED = "shares-created"
    SHARE_HANDED_OUT = "share-handed-out"
    SHARE_VERIFIED = "share-verified"
    SHARE_CARD_PRINTED = "share-card-printed"  # the holder's share went to a printer as a card
    SHARES_DRILLED = "shares-drilled"
    ARTIFACT_WRITTEN = "artifact-written"
    ERROR = "error"
    CEREMONY_COMPLETED = "ceremony-completed"
    CEREMONY_ABORTED = "ceremony-aborted"
    JOURNAL_REPAIRED = "journal-repaired"
    TRANSCRIPT_WRITTEN = "transcript-written"
    CEREMONY_RESUMED = "ceremony-resumed"
    RESUME_CONFIRMED = "resume-confirmed"  # the head found matches the paper log
    HEAD_RECORDED = "head-recorded"  # a named person wrote the head shown in the paper log
    KEY_FOUND = "key-found"
    ISSUER_KEY_FOUND = "issuer-key-found"
    KEY_PROVEN = "key-proven"
    BACKUP_READ = "backup-read"
    CSR_CREATED = "csr-created"
    CSR_CHECKED = "csr-checked"
    SHARE_COPY_MISMATCH = "share-copy-mismatch"
    SHARES_VOIDED = "shares-voided"
    SHARES_REQUESTED = "shares-requested"
    SHARE_ACCEPTED = "share-accepted"
    SHARE_REFUSED = "share-refused"
    SHARE_CHECK_FAILED = "share-check-failed"
    SHARES_VERIFIED = "shares-verified"
    SHARES_RETIRED = "shares-retired"
    TOKEN_PIN_SPLIT = "token-pin-split"
    BACKUP_COPIED = "backup-copied"
    KEY_LOCKED = "key-locked"
    CROSS_SUBJECT_CHECKED = "cross-subject-checked"
    KEY_DESTRUCTION_STARTED = "key-destruction-started"  # confirmed; the token is told next
    KEY_DESTROYED = "key-destroyed"
    BACKUP_DESTROYED = "backup-destroyed"
    SHARE_COPY_DESTROYED = "share-copy-destroyed"
    TOKEN_CHECKED = "token-checked"  # the token's capability check against the plan
