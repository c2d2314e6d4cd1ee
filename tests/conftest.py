"""Shared fixtures: a fresh SoftHSM2 token store per test; fresh tokens of each of the three
kinds the tests run on (``tokens``, parametrised by ``token_kind``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crypto.softhsm import SoftHsmStore
from crypto.token import reset_module
from tests.tokens import TokenFactory, TokenKind
from tests.tokens.nss import P11_KIT_PROXY, NssPool
from tests.tokens.tpm2 import TPM2_MODULE, Tpm2Store

USER_PIN = "123456"
SO_PIN = "87654321"


@pytest.fixture
def softhsm(tmp_path: Path) -> Iterator[SoftHsmStore]:
    """A SoftHSM store of this test's own, active for the duration of the test."""
    store = SoftHsmStore.create(tmp_path / "softhsm")
    store.activate()
    yield store
    store.activate()  # finalize so the next test's store is read afresh


# --- the three tokens (tests/tokens) ------------------------------------------------------


@pytest.fixture(scope="session")
def tpm2_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tpm2Store]:
    """One swtpm, D-Bus and tpm2-abrmd for the whole session, ended by PID at its end."""
    from tests.tokens.nss import remove_stale_module_files

    remove_stale_module_files()
    store = Tpm2Store.start(tmp_path_factory.mktemp("tpm2"))
    store.activate()
    yield store
    reset_module(TPM2_MODULE)
    store.stop()


@pytest.fixture(scope="session")
def nss_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NssPool]:
    """The session's NSS tokens (tests/tokens/nss.py says why there is one set), behind one
    p11-kit module file that is removed at the end."""
    from tests.tokens.nss import remove_stale_module_files

    remove_stale_module_files()
    pool = NssPool.create(tmp_path_factory.mktemp("nss"), USER_PIN)
    yield pool
    reset_module(P11_KIT_PROXY)
    pool.remove()


@pytest.fixture(params=list(TokenKind), ids=lambda k: k.value)
def token_kind(request: pytest.FixtureRequest) -> TokenKind:
    return TokenKind(request.param)


@pytest.fixture
def tokens(request: pytest.FixtureRequest, token_kind: TokenKind, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[TokenFactory]:
    """Fresh tokens of ``token_kind`` for this test (``tokens.make(label)``).

    p11-kit's proxy (NSS's way in) also loads the system's other modules, SoftHSM and
    tpm2-pkcs11 among them: they are pointed at this test's folder, so they show none of
    another test's tokens and write nothing outside it.
    """
    store = request.getfixturevalue("tpm2_store") if token_kind is TokenKind.TPM2 else None
    pool = request.getfixturevalue("nss_pool") if token_kind is TokenKind.NSS else None
    (tmp_path / "tpm2-unused").mkdir()
    monkeypatch.setenv("TPM2_PKCS11_STORE", str(tmp_path / "tpm2-unused"))
    if token_kind is TokenKind.NSS:
        monkeypatch.setenv("SOFTHSM2_CONF", str(tmp_path / "no-softhsm.conf"))
        monkeypatch.setenv("TSS2_LOG", "all+NONE")
    factory = TokenFactory(token_kind, tmp_path, tpm2=store, nss=pool)
    yield factory
    factory.close()
