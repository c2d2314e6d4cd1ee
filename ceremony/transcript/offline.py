"""pyHanko without its network clients at start-up.

Importing anything under ``pyhanko.sign`` (the signers, the validation, even the reader's
``embedded_signatures``) imports pyHanko's HTTP time-stamp client and its fetchers of CRLs,
OCSP responses and certificates, and with them aiohttp: about 0.15 s of CPU on this kind of
machine, 0.45 s under load, much of it aiohttp building two TLS contexts and reading the
system's CA store at import. This tool is offline (PAdES B-B, no time-stamp authority, no
revocation fetching) and never makes those clients.

``defer_network_clients()`` puts a finder first on ``sys.meta_path`` that loads the two
packages whose ``__init__`` pulls aiohttp in with their real ``__init__`` deferred:

- ``pyhanko.sign.timestamps`` offers at once the names it re-exports from its aiohttp-free
  submodules; asking for any other (``HTTPTimeStamper``) runs the real ``__init__`` first;
- ``pyhanko_certvalidator.fetchers.aiohttp_fetchers`` offers ``AIOHttpFetcherBackend`` as a
  function that runs the real ``__init__`` and makes the real backend (pyHanko's AdES
  validation imports that name at module level but only calls it); any other name runs the
  real ``__init__`` first.

Everything else runs unchanged. A test compares these names with the real packages' and checks
that verify and signing leave aiohttp unimported. It is for start-up speed only.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any


@dataclass(frozen=True)
class Deferral:
    """What a package offers before its real ``__init__`` runs."""

    eager: dict[str, str]  # name -> the submodule it comes from (imported at once)
    factories: tuple[str, ...]  # names offered as a callable that runs the real __init__


DEFERRED = {
    "pyhanko.sign.timestamps": Deferral(
        {"TimeStamper": "api", "TimestampRequestError": "common_utils",
         "DummyTimeStamper": "dummy_client"}, ()),
    "pyhanko_certvalidator.fetchers.aiohttp_fetchers": Deferral({}, ("AIOHttpFetcherBackend",)),
}


class _DeferringLoader(importlib.abc.Loader):
    """Runs instead of a package's ``__init__``; the real one runs on first need."""

    def __init__(self, real: importlib.abc.Loader, deferral: Deferral) -> None:
        self._real = real
        self._deferral = deferral

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        real, done = self._real, [False]
        name = module.__name__

        def materialise() -> None:
            if not done[0]:
                done[0] = True
                try:
                    real.exec_module(module)  # the real __init__, in this same module
                except BaseException:
                    done[0] = False  # its error again next time, not "no attribute"
                    raise

        def factory(attribute: str) -> Callable[..., Any]:
            def make(*args: Any, **kwargs: Any) -> Any:
                materialise()
                return getattr(module, attribute)(*args, **kwargs)
            make.__name__ = make.__qualname__ = attribute
            return make

        def missing(attribute: str) -> Any:  # PEP 562: only for names not yet set
            if attribute.startswith("__") or done[0]:
                raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
            materialise()
            return getattr(module, attribute)

        for attribute, submodule in self._deferral.eager.items():
            setattr(module, attribute,
                    getattr(importlib.import_module(f"{name}.{submodule}"), attribute))
        for attribute in self._deferral.factories:
            setattr(module, attribute, factory(attribute))
        module.__getattr__ = missing  # type: ignore[method-assign]


class _DeferringFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        deferral = DEFERRED.get(fullname)
        if deferral is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _DeferringLoader(spec.loader, deferral)
        return spec


def defer_network_clients() -> None:
    """Install the finder once; for a package already imported it changes nothing."""
    if not any(isinstance(finder, _DeferringFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _DeferringFinder())
