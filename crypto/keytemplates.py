"""The attribute templates a CA key pair is generated (or unwrapped) with, and the order in
which they are offered to a token.

Capabilities are given explicitly: python-pkcs11's defaults would let EC keys DERIVE and RSA
keys DECRYPT and UNWRAP. A token that refuses the strictest template is offered a looser one
(``TEMPLATES``); the key record says which one it took.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pkcs11
from pkcs11 import Attribute
from pkcs11 import exceptions as p11


def key_id(label: str) -> bytes:
    """CKA_ID for a key labelled ``label``: ties the two halves of a pair together, stably."""
    return hashlib.sha256(label.encode()).digest()[:16]


# How a token says it does not take an attribute in a template. tpm2-pkcs11 answers a template
# whose capability attributes differ from what the TPM key can do with GeneralError ("attr
# mismatch"), so that is a refusal of the template too.
TEMPLATE_REFUSED = (p11.AttributeTypeInvalid, p11.AttributeValueInvalid,
                    p11.AttributeReadOnly, p11.TemplateInconsistent, p11.GeneralError)

# Capability attributes python-pkcs11 would otherwise put on both halves of every key pair;
# DEFAULT leaves them out of the template, so the token's own default applies.
_UNSAID = {attribute: pkcs11.DEFAULT for attribute in (
    Attribute.ENCRYPT, Attribute.WRAP, Attribute.VERIFY, Attribute.DECRYPT, Attribute.UNWRAP,
    Attribute.SIGN, Attribute.DERIVE)}


@dataclass(frozen=True)
class KeyTemplate:
    """Which optional attributes a key's templates carry.

    Only what matters is always said: stored, private, sensitive, extractable or not, able to
    sign (and verify). ``restricted`` also says DECRYPT, UNWRAP, DERIVE, ENCRYPT and WRAP are
    false, which some tokens refuse (tpm2-pkcs11: its RSA keys can decrypt); then the token's
    own defaults stand, and the key record says so. ``wrap_with_trusted`` applies only to a key
    that is never wrapped.
    """

    restricted: bool = True
    wrap_with_trusted: bool = True

    @property
    def name(self) -> str:
        return ("sign only" if self.restricted else "token defaults besides signing") + (
            ", wrap with trusted" if self.wrap_with_trusted else "")


# Tried in this order until the token takes one; a session remembers the one that worked.
TEMPLATES = (KeyTemplate(True, True), KeyTemplate(True, False), KeyTemplate(False, True),
             KeyTemplate(False, False))


def private_key_template(label: str, *, extractable: bool,
                         wrap_with_trusted: bool = False,
                         restricted: bool = True) -> dict[Any, Any]:
    """Attributes of a CA private key: stored, sensitive, able to sign and (when
    ``restricted``) nothing else."""
    template: dict[Any, Any] = {
        **_UNSAID,
        Attribute.TOKEN: True,
        Attribute.PRIVATE: True,
        Attribute.SENSITIVE: True,
        Attribute.EXTRACTABLE: extractable,
        Attribute.SIGN: True,
        Attribute.ID: key_id(label),
    }
    if restricted:
        template.update({Attribute.DECRYPT: False, Attribute.UNWRAP: False,
                         Attribute.DERIVE: False})
    if wrap_with_trusted:
        template[Attribute.WRAP_WITH_TRUSTED] = True
    return template


def public_key_template(label: str, *, restricted: bool = True) -> dict[Any, Any]:
    """Attributes of a CA public key: stored, able to verify and (when ``restricted``) nothing
    else."""
    template: dict[Any, Any] = {**_UNSAID, Attribute.TOKEN: True, Attribute.VERIFY: True,
                                Attribute.ID: key_id(label)}
    if restricted:
        template.update({Attribute.ENCRYPT: False, Attribute.WRAP: False})
    return template
