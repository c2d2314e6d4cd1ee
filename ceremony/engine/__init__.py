"""The engine that runs a ceremony's steps: runner, context, steps, and the actions they share.

The front of the package: callers outside it import from here. The interface front ends
implement is ``ceremony.prompts``, kept outside so that they need not load the engine.
"""

from ceremony.engine.actions import (
    check_environment,
    confirm_and_sign_certificate,
    generate_key,
    key_name,
    prepare_and_sign_crl,
)
from ceremony.engine.backups import (
    back_up_key,
    backup_paths,
    copy_out,
    lock_backed_up_key,
    lock_key_in_token,
)
from ceremony.engine.context import PIN_ATTEMPTS, CeremonyContext, HandOut, Step
from ceremony.engine.custody import collect_quorum, holders_by_group, scheme_of, split_and_hand_out
from ceremony.engine.pins import derive_pin, obtain_pin, split_pin
from ceremony.engine.runner import CeremonyRunner
from ceremony.errors import StepRefused

__all__ = [
    "PIN_ATTEMPTS",
    "CeremonyContext",
    "CeremonyRunner",
    "HandOut",
    "Step",
    "StepRefused",
    "back_up_key",
    "backup_paths",
    "check_environment",
    "collect_quorum",
    "confirm_and_sign_certificate",
    "copy_out",
    "derive_pin",
    "generate_key",
    "holders_by_group",
    "key_name",
    "lock_backed_up_key",
    "lock_key_in_token",
    "obtain_pin",
    "prepare_and_sign_crl",
    "scheme_of",
    "split_and_hand_out",
    "split_pin",
]
