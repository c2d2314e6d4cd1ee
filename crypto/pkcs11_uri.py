"""PKCS#11 URIs (RFC 7512) for tokens: reading one from a plan, writing one for a person.

Only token-level attributes are used: ``token`` (the label), ``serial``, ``manufacturer``,
``model`` in the path and ``module-path`` in the query. A URI naming an object (``object``,
``id``, ``type``) is not a token's, and one carrying a PIN (``pin-value``, ``pin-source``) puts
a secret where it must never be: both are refused. Separate from ``crypto.token`` so that
reading a plan does not load PKCS#11.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote

SCHEME = "pkcs11:"
_PATH = ("token", "manufacturer", "serial", "model", "library-manufacturer",
         "library-description", "library-version", "slot-description", "slot-manufacturer",
         "slot-id")
_OBJECT = ("object", "id", "type")
_QUERY = ("module-path", "module-name")
_SECRET = ("pin-value", "pin-source")
# RFC 7512 2.3: characters a value may carry unencoded (besides unreserved ones).
_PATH_SAFE = ":[]@!$'()*+,="
_QUERY_SAFE = "/?|:[]@!$'()*+,="


class UriError(ValueError):
    """A PKCS#11 URI that cannot name a token; the message says why, in one sentence."""


@dataclass(frozen=True)
class TokenUri:
    """The token a PKCS#11 URI names."""

    label: str | None = None
    serial: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    module_path: str | None = None

    def __str__(self) -> str:
        path = [(name, value) for name, value in (
            ("model", self.model), ("manufacturer", self.manufacturer),
            ("serial", self.serial), ("token", self.label)) if value]
        text = SCHEME + ";".join(f"{n}={quote(v, safe=_PATH_SAFE)}" for n, v in path)
        if self.module_path:
            text += "?module-path=" + quote(self.module_path, safe=_QUERY_SAFE)
        return text


def parse_token_uri(text: str) -> TokenUri:
    """The token ``text`` names; UriError (one sentence) when it is not a token URI."""
    if not text.lower().startswith(SCHEME):
        raise UriError(f"a PKCS#11 URI starts with {SCHEME!r}")
    rest = text[len(SCHEME):]
    path, _, query = rest.partition("?")
    values: dict[str, str] = {}
    for part, separator, known in ((path, ";", _PATH), (query, "&", _QUERY)):
        for item in filter(None, part.split(separator)):
            name, equals, raw = item.partition("=")
            name = name.strip().lower()
            if not equals:
                raise UriError(f"{item!r} is not an attribute=value pair")
            if name in _SECRET:
                raise UriError(f"{name} puts the PIN in the plan; remove it: the PIN is typed "
                               "or rebuilt from shares at run time")
            if name in _OBJECT:
                raise UriError(f"{name} names an object in the token; a plan's URI names the "
                               "token only")
            if name not in known and not name.startswith("x-"):
                raise UriError(f"{name!r} is not a PKCS#11 URI attribute"
                               + (" here" if name in _PATH + _QUERY else ""))
            if name in values:
                raise UriError(f"{name} appears twice")
            try:
                values[name] = unquote(raw, errors="strict")
            except UnicodeDecodeError:
                raise UriError(f"the value of {name} is not UTF-8 once decoded") from None
    if "module-name" in values:
        raise UriError("module-name leaves the module file to a search; give module-path")
    if not values.get("token"):
        raise UriError("a plan's URI names the token by its label: add token=LABEL")
    return TokenUri(label=values.get("token"), serial=values.get("serial"),
                    manufacturer=values.get("manufacturer"), model=values.get("model"),
                    module_path=values.get("module-path"))


def token_uri(label: str, *, serial: str | None = None, manufacturer: str | None = None,
              model: str | None = None, module_path: str | None = None) -> str:
    """The PKCS#11 URI of a token, for people to read and tools (p11tool, pkcs11-tool) to use."""
    return str(TokenUri(label, serial or None, manufacturer or None, model or None,
                        module_path or None))
