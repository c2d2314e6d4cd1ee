"""Steps every ceremony shares: the environment check at the start."""

from __future__ import annotations

from ceremony.actions import check_environment
from ceremony.plan import Role
from ceremony.runner import Step

ENVIRONMENT = Step(
    id="environment",
    title="Check the ceremony environment",
    roles=(Role.ADMINISTRATOR,),
    instructions=(
        "The administrator shows the witnesses that this is the ceremony machine and that it is "
        "offline: no network cable, wireless switched off. The program records the host, the "
        "operating system, the versions of everything it runs on and the SHA-256 of its own "
        "files, and refuses to go on while a network interface other than loopback is up."
    ),
    action=check_environment,
    sign_off="The ceremony machine is the one named in the plan and is offline.",
)
