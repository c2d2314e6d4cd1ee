"""The ceremony plan: its schema, its values, the strict TOML parser, and the checks made
without a token.

The front of the package: callers outside it import from here.
"""

from ceremony.plan import schema
from ceremony.plan.check import CheckReport, check_plan
from ceremony.plan.describe import describe_plan
from ceremony.plan.parser import PLAN_ID, parse_plan, parse_plan_text
from ceremony.plan.reader import remove_secrets
from ceremony.plan.values import (
    PLAN_FORMAT,
    BackupMode,
    BackupSpec,
    CeremonyPlan,
    CeremonyType,
    CopyCheck,
    CrossSpec,
    IssuerSpec,
    KeySpec,
    Participant,
    PinSource,
    RenewalSpec,
    ResponderSpec,
    RetireSpec,
    RevocationSpec,
    Role,
    ShareGroup,
    ShareSpec,
    SoftwareToken,
    TokenSpec,
)

__all__ = [
    "PLAN_FORMAT",
    "PLAN_ID",
    "BackupMode",
    "BackupSpec",
    "CeremonyPlan",
    "CeremonyType",
    "CheckReport",
    "CopyCheck",
    "CrossSpec",
    "IssuerSpec",
    "KeySpec",
    "Participant",
    "PinSource",
    "RenewalSpec",
    "ResponderSpec",
    "RetireSpec",
    "RevocationSpec",
    "Role",
    "ShareGroup",
    "ShareSpec",
    "SoftwareToken",
    "TokenSpec",
    "check_plan",
    "describe_plan",
    "parse_plan",
    "parse_plan_text",
    "remove_secrets",
    "schema",
]
