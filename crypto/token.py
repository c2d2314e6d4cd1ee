"""Open a PKCS#11 token by label, log in, report what it is, and translate its errors.

A ``TokenSession`` is a context manager around one logged-in read/write session. The PIN passes
through here only as an argument to ``C_Login``: it is never stored on the object, logged or put
in an exception message.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pkcs11
from pkcs11 import exceptions as p11

from crypto.errors import (
    DeviceRemoved,
    MechanismNotSupported,
    ModuleNotFound,
    PinIncorrect,
    PinLocked,
    TokenError,
    TokenNotFound,
)

# Re-exported: the module path lives where reading a plan need not load pkcs11.
from crypto.module_path import DEFAULT_MODULE as DEFAULT_MODULE
from crypto.module_path import default_module as default_module
from crypto.module_path import module_file, software_module, software_token


@dataclass(frozen=True)
class TokenInfo:
    """What a token says about itself (CK_TOKEN_INFO), for the journal and the transcript."""

    label: str
    manufacturer: str
    model: str
    serial: str
    firmware: str
    hardware: str
    module: str  # as named by the plan or the default
    free_memory: str | None = None  # not exposed by python-pkcs11; reported when known
    module_path: str = ""  # the file actually loaded (symbolic links resolved)
    module_sha256: str = ""

    @property
    def uri(self) -> str:
        """The token as an RFC 7512 PKCS#11 URI, with the module as named (``module_path``
        says which file that was)."""
        from crypto.pkcs11_uri import token_uri

        return token_uri(self.label, serial=self.serial, manufacturer=self.manufacturer,
                         model=self.model, module_path=self.module)

    @property
    def software(self) -> str | None:
        """The software token this is ("SoftHSM"), by its module file or its own description;
        None for anything else."""
        return (software_module(self.module_path or self.module)
                or software_token(self.manufacturer, self.model))

    def as_dict(self) -> dict[str, str | None]:
        return {
            "label": self.label,
            "manufacturer": self.manufacturer,
            "model": self.model,
            "serial": self.serial,
            "firmware": self.firmware,
            "hardware": self.hardware,
            "module": self.module,
            "module_path": self.module_path,
            "module_sha256": self.module_sha256,
            "free_memory": self.free_memory,
            "uri": self.uri,
        }


def translate(ex: Exception, action: str) -> TokenError:
    """The domain error for a python-pkcs11 error raised while doing ``action``."""
    if isinstance(ex, (p11.MechanismInvalid, p11.MechanismParamInvalid, p11.FunctionNotSupported)):
        return MechanismNotSupported(
            f"the token does not support what {action} needs ({type(ex).__name__}); "
            "use a token or algorithm that offers it"
        )
    # A module finalised underneath us (the reader or daemon went away) reports
    # CKR_CRYPTOKI_NOT_INITIALIZED, which python-pkcs11 raises as its base class.
    # A key or object found moments ago whose handle is no longer valid means the token was
    # removed or its store taken away underneath the session (a SoftHSM store moved mid-step).
    gone = type(ex) is p11.PKCS11Error and "not initialized" in str(ex)
    if gone or isinstance(ex, (p11.DeviceRemoved, p11.TokenNotPresent, p11.SessionClosed,
                               p11.SessionHandleInvalid, p11.DeviceError,
                               p11.ObjectHandleInvalid, p11.KeyHandleInvalid)):
        return DeviceRemoved(
            f"the token went away while {action}; reconnect it and run the step again"
        )
    if isinstance(ex, p11.PinLocked):
        return PinLocked("the token's user PIN is locked; the security officer must reset it")
    return TokenError(f"the token failed while {action} ({type(ex).__name__})")


@contextmanager
def translated(action: str) -> Iterator[None]:
    """Turn python-pkcs11 errors raised while doing ``action`` into this package's errors."""
    try:
        yield
    except p11.PKCS11Error as ex:
        raise translate(ex, action) from ex


def load_module(path: str) -> Any:
    """Load (and initialise) the PKCS#11 module at ``path``."""
    if not os.path.exists(path):
        raise ModuleNotFound(
            f"PKCS#11 module {path} does not exist; install it (for SoftHSM: apt-get install "
            "softhsm2) or name the right module"
        )
    try:
        return pkcs11.lib(path)
    except p11.PKCS11Error as ex:
        raise ModuleNotFound(f"PKCS#11 module {path} would not load ({ex})") from ex


def reset_module(path: str) -> None:
    """Finalize the module so that the next ``load_module`` initialises it afresh.

    SoftHSM reads ``SOFTHSM2_CONF`` (which token store to use) only when it is initialised,
    so a process that moves between token stores (the demo, the tests) calls this in between.
    """
    loaded = pkcs11._loaded.get(path)  # python-pkcs11 keeps its cache here
    if loaded is not None and loaded.initialized:
        loaded.finalize()


def find_token(path: str, label: str, serial: str | None = None) -> Any:
    """The token labelled ``label`` in module ``path`` (never chosen by slot number); with
    ``serial``, the one of them whose serial number it is."""
    lib = load_module(path)
    with translated(f"looking for token {label!r}"):
        found = list(lib.get_tokens(token_label=label))
        if serial is not None:
            matching = [t for t in found if _serial(t) == serial]
            if not matching and found:
                others = ", ".join(repr(_serial(t)) for t in found)
                raise TokenNotFound(
                    f"the token labelled {label!r} has serial number {others}, not {serial!r} "
                    "as the plan says; it is not the planned token: connect the right one")
            found = matching
        if not found:
            raise TokenNotFound(
                f"no token labelled {label!r} is present in PKCS#11 module {path} "
                f"({tokens_present([t.label for t in lib.get_tokens()])}); connect it, "
                "correct the label or name the right module"
            )
        if len(found) > 1:
            raise TokenNotFound(
                f"more than one token is labelled {label!r}; remove all but one, or name its "
                "serial number in the plan"
            )
        return found[0]


def tokens_present(labels: list[str]) -> str:
    """What a module holds, for the refusal that names it: 'it holds no tokens', or the
    labels, with the tokens not yet initialised (blank labels) counted, never shown as ''."""
    named = [repr(x) for x in sorted(labels) if x.strip()]
    blank = len(labels) - len(named)
    if not named:
        return (f"it holds no tokens but {blank} not initialised" if blank
                else "it holds no tokens")
    return "tokens there: " + ", ".join(named + ([f"{blank} not initialised"] if blank else []))


def _serial(token: Any) -> str:
    return str(token.serial.decode("ascii", "replace").strip())


def token_info(token: Any, module: str) -> TokenInfo:
    """What ``token`` says about itself, with the module file loaded and its SHA-256."""
    def version(v: tuple[int, int]) -> str:
        return f"{v[0]}.{v[1]}"

    try:
        loaded = module_file(module)
    except OSError as ex:
        raise ModuleNotFound(f"PKCS#11 module {module} cannot be read to record its digest "
                             f"({ex.strerror})") from ex
    return TokenInfo(
        label=token.label,
        manufacturer=token.manufacturer_id.strip(),
        model=token.model.strip(),
        serial=_serial(token),
        firmware=version(token.firmware_version),
        hardware=version(token.hardware_version),
        module=module,
        module_path=loaded.resolved,
        module_sha256=loaded.sha256,
    )


def probe_token(module: str, label: str, serial: str | None = None) -> TokenInfo:
    """What the token labelled ``label`` says about itself, without logging in."""
    return token_info(find_token(module, label, serial), module)


def _tries_hint(flags: int) -> str | None:
    if flags & pkcs11.TokenFlag.USER_PIN_FINAL_TRY:
        return "one try is left before the PIN locks"
    if flags & pkcs11.TokenFlag.USER_PIN_COUNT_LOW:
        return "the token reports that few tries are left"
    return None


class TokenSession:
    """A logged-in read/write session with one token. Use as a context manager."""

    def __init__(self, module: str, label: str, pin: str, serial: str | None = None) -> None:
        self.module = module
        self.label = label
        token = find_token(module, label, serial)
        self.info = token_info(token, module)
        self._token = token
        # The key template this token took last (crypto.keytemplates.KeyTemplate), so later
        # keys skip templates it refuses.
        self.key_template: Any = None
        try:
            self.session: Any = token.open(rw=True, user_pin=pin)
        except (p11.PinIncorrect, p11.PinInvalid, p11.PinLenRange) as ex:
            flags = int(find_token(module, label, serial).flags)
            hint = _tries_hint(flags)
            message = f"the token {label!r} refused the PIN"
            message += f"; {hint}" if hint else "; check it and try again"
            raise PinIncorrect(message, hint,
                               bool(flags & pkcs11.TokenFlag.USER_PIN_FINAL_TRY)) from ex
        except p11.PKCS11Error as ex:
            raise translate(ex, f"logging in to token {label!r}") from ex

    def __enter__(self) -> TokenSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.session.close()
        except p11.PKCS11Error:
            pass  # the token may already be gone; nothing is left to release

    @property
    def slot(self) -> Any:
        """The token's slot (its mechanism list)."""
        return self._token.slot

    def random_bytes(self, count: int) -> bytes:
        """``count`` bytes from the token's own random number generator."""
        with translated("drawing random bytes"):
            data: bytes = self.session.generate_random(count * 8)
        return data


@contextmanager
def open_token(module: str, label: str, pin: str,
               serial: str | None = None) -> Iterator[TokenSession]:
    """Log in to the token labelled ``label`` (with ``serial``, if given); the session is closed
    on exit."""
    session = TokenSession(module, label, pin, serial)
    try:
        yield session
    finally:
        session.close()
