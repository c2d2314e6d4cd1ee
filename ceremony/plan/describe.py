"""One line saying what a plan does, for ``plan check``, the app's review and the runner."""

from __future__ import annotations

from ceremony.plan.values import CeremonyPlan, CeremonyType, ShareSpec


def describe_plan(plan: CeremonyPlan) -> str:
    """One line saying what the plan does, for ``plan check`` and the runner's first screen."""
    parts = [f"{plan.type.value} ceremony '{plan.id}'" + (" (rehearsal)" if plan.rehearsal
                                                           else ""),
             f"{len(plan.participants)} participants"]
    if plan.key is not None:
        token = plan.new_token or plan.token
        parts.append(f"{plan.key.algorithm.value} key '{plan.key.label}'"
                     + (f" in token {token.display_uri}" if token else ""))
    if plan.issuer is not None and plan.token is not None:
        parts.append(f"issuer key '{plan.issuer.key_label}' in token {plan.token.display_uri}")
    if plan.shares is not None:
        shares = _describe_shares(plan.shares)
        if plan.new_shares is not None:
            shares += f" re-shared as {_describe_shares(plan.new_shares)}"
        parts.append(shares)
    if plan.root_profile is not None:
        parts.append(f"root certificate '{plan.root_profile.subject.common_name}' for "
                     f"{plan.root_profile.validity_days} days")
    elif plan.subject is not None:
        parts.append(f"CSR for '{plan.subject.common_name}'")
    if plan.csr_file is not None and plan.subordinate_profile is not None:
        parts.append(f"signs {plan.csr_file.name} as a "
                     f"{plan.subordinate_profile.kind.value} subordinate for "
                     f"{plan.subordinate_profile.validity_days} days")
    if plan.cross is not None and plan.subordinate_profile is not None:
        source = plan.cross.certificate or plan.cross.csr
        parts.append(f"cross-signs the CA of {source.name if source else '?'} for "
                     f"{plan.subordinate_profile.validity_days} days")
    if plan.responder is not None:
        key = (f"from {plan.responder.csr.name}" if plan.responder.csr is not None
               else f"with key '{plan.responder.key_label}' made in token "
                    f"'{plan.responder.token}'")
        parts.append(f"OCSP signer {key} for {plan.responder.profile.validity_days} days")
    if plan.retire is not None and plan.issuer is not None:
        parts.append(f"destroys key '{plan.issuer.key_label}'"
                     + (", its backup" if plan.backup is not None else "")
                     + (" and the custodians' share copies" if plan.retire.shares_destroyed
                        else ""))
    if plan.renewal is not None:
        parts.append(f"renews the root certificate for {plan.renewal.validity_days} days")
    if plan.type is CeremonyType.CRL and plan.crl is not None:
        parts.append(f"CRL for {plan.crl.next_update_days} days revoking "
                     f"{len(plan.revocations)} certificate(s)")
    return ", ".join(parts)


def _describe_shares(spec: ShareSpec) -> str:
    if spec.groups:
        groups = ", ".join(f"{g.threshold}-of-{len(g.holders)}" for g in spec.groups)
        return f"shares in {spec.group_threshold} of {len(spec.groups)} groups ({groups})"
    return f"{spec.threshold}-of-{len(spec.holders)} shares"
