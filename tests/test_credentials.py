"""app.credentials: unit tests on an in-memory keyring, then against a real gnome-keyring."""

from __future__ import annotations

import logging
import os
import socket
import traceback
from pathlib import Path

import keyring
import keyring.backend
import keyring.core
import keyring.errors
import pytest
from keyring.backends import SecretService, chainer, fail, null

from app.credentials import (
    SERVICE,
    CredentialError,
    CredentialStore,
    KeyringLocked,
    KeyringUnavailable,
    SessionOnlyStore,
    detect_backend_name,
)
from tests.support.memory_keyring import MemoryKeyring, forget_backend_class
from tests.support.secret_service import SecretServiceDaemon, private_secret_service

SECRET = "s3cr3t-Ünïcode-🔑-do-not-leak"


class RaisingKeyring(MemoryKeyring):
    """A backend whose every call fails with an error that quotes the secret it was given."""

    def __init__(self, error: type[Exception]) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error(f"cannot read: the stored value is {SECRET}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error(f"cannot store {password!r} (also {password})")

    def delete_password(self, service: str, username: str) -> None:
        raise self.error(f"cannot delete {SECRET}")


class PlaintextKeyring(MemoryKeyring):
    """Named and ranked like keyrings.alt.file.PlaintextKeyring (priority 0.5)."""

    priority = 0.5  # type: ignore[assignment]


class LowPriorityKeyring(MemoryKeyring):
    """An innocently named backend that ranks itself as a mere fallback (below 1)."""

    priority = 0.9  # type: ignore[assignment]


class TrustedLookingPlaintext(MemoryKeyring):
    """A plaintext file backend that claims a high priority: refused by its origin alone."""

    priority = 5  # type: ignore[assignment]


TrustedLookingPlaintext.__module__ = "keyrings.alt.file"


class EmptyChain(chainer.ChainerBackend):
    backends: list[keyring.backend.KeyringBackend] = []  # type: ignore[assignment]


class PlaintextOnlyChain(chainer.ChainerBackend):
    backends = [PlaintextKeyring(), TrustedLookingPlaintext()]  # type: ignore[assignment]


class RealThenPlaintextChain(chainer.ChainerBackend):
    backends = [MemoryKeyring(), PlaintextKeyring()]  # type: ignore[assignment]


for _double in (RaisingKeyring, PlaintextKeyring, LowPriorityKeyring, TrustedLookingPlaintext,
                EmptyChain, PlaintextOnlyChain, RealThenPlaintextChain):
    forget_backend_class(_double)


def everything_said_about(exc: BaseException) -> str:
    """All text a traceback, a log handler or a debugger could show for this exception."""
    parts = [str(exc), repr(exc), *map(str, exc.args)]
    parts += traceback.format_exception(exc)
    for linked in (exc.__cause__, exc.__context__):
        if linked is not None:
            parts.append(everything_said_about(linked))
    return "\n".join(parts)


# --- unit tests on MemoryKeyring -------------------------------------------------------------


def test_round_trip_under_the_app_service(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()  # None: keyring's current backend, here the memory one
    store.save("oauth:abc123", SECRET)
    assert store.load("oauth:abc123") == SECRET
    assert memory_keyring.passwords == {(SERVICE, "oauth:abc123"): SECRET}
    assert SERVICE == "product-image-manager"


def test_load_of_unknown_id_is_none(memory_keyring: MemoryKeyring) -> None:
    assert CredentialStore().load("basic:https://shop.example.com|admin") is None


def test_save_overwrites(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore(memory_keyring)
    store.save("oauth:abc123", "first")
    store.save("oauth:abc123", "second")
    assert store.load("oauth:abc123") == "second"
    assert len(memory_keyring.passwords) == 1


def test_ids_are_independent(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore(memory_keyring)
    store.save("oauth:abc123", "token-a")
    store.save("basic:https://shop.example.com|admin", "password-b")
    store.delete("oauth:abc123")
    assert store.load("oauth:abc123") is None
    assert store.load("basic:https://shop.example.com|admin") == "password-b"


def test_delete_removes_and_tolerates_absence(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore(memory_keyring)
    store.delete("oauth:never-saved")
    store.save("oauth:abc123", SECRET)
    store.delete("oauth:abc123")
    store.delete("oauth:abc123")
    assert store.load("oauth:abc123") is None
    assert memory_keyring.passwords == {}


@pytest.mark.parametrize("store_id", ["", None])
def test_empty_store_id_is_rejected(memory_keyring: MemoryKeyring, store_id: str) -> None:
    with pytest.raises(ValueError, match="store_id") as caught:
        CredentialStore(memory_keyring).save(store_id, SECRET)
    assert SECRET not in everything_said_about(caught.value)


def test_status_of_a_usable_keyring(memory_keyring: MemoryKeyring) -> None:
    status = CredentialStore(memory_keyring).status()
    assert status.usable
    assert status.backend_name == "MemoryKeyring"
    assert "MemoryKeyring" in status.message
    assert memory_keyring.passwords == {}  # the probe only reads


def test_detect_backend_name_uses_the_current_keyring(memory_keyring: MemoryKeyring) -> None:
    assert detect_backend_name() == "MemoryKeyring"
    assert detect_backend_name(fail.Keyring()) == "fail"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (RuntimeError, CredentialError),
        (keyring.errors.PasswordSetError, CredentialError),
        (keyring.errors.KeyringLocked, KeyringLocked),
        (keyring.errors.NoKeyringError, KeyringUnavailable),
        (keyring.errors.InitError, KeyringUnavailable),
        (ConnectionRefusedError, KeyringUnavailable),
    ],
)
def test_backend_errors_are_typed_and_never_carry_the_secret(
    error: type[Exception], expected: type[CredentialError], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = CredentialStore(RaisingKeyring(error))
    calls = [lambda: store.save("oauth:abc123", SECRET), lambda: store.load("oauth:abc123"),
             lambda: store.delete("oauth:abc123")]
    for call in calls:
        with pytest.raises(expected) as caught:
            call()
        assert type(caught.value) is expected
        assert caught.value.__cause__ is None and caught.value.__context__ is None
        assert SECRET not in everything_said_about(caught.value)
        assert "keep the credentials for this session only" in str(caught.value)
    status = store.status()
    assert not status.usable
    assert SECRET not in repr(status) + repr(store)
    assert SECRET not in caplog.text


def test_a_dismissed_prompt_means_locked() -> None:
    """keyring reports an un-unlockable collection as InitError("... Prompt dismissed.")."""
    store = CredentialStore(RaisingKeyring(lambda text: keyring.errors.InitError(  # type: ignore
        f"Failed to create the collection: Prompt dismissed.. {text}")))
    with pytest.raises(KeyringLocked, match="locked") as caught:
        store.load("oauth:abc123")
    assert SECRET not in everything_said_about(caught.value)


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring(), PlaintextKeyring(), LowPriorityKeyring(),
     TrustedLookingPlaintext(), EmptyChain(), PlaintextOnlyChain()],
    ids=["fail", "null", "plaintext", "low-priority", "keyrings.alt", "empty-chain",
         "plaintext-chain"],
)
def test_insecure_or_missing_backends_are_refused(backend: keyring.backend.KeyringBackend) -> None:
    store = CredentialStore(backend)
    status = store.status()
    assert not status.usable
    assert "gnome-keyring or KWallet" in status.message
    assert "session only" in status.message
    for call in (lambda: store.save("oauth:abc123", SECRET), lambda: store.load("oauth:abc123"),
                 lambda: store.delete("oauth:abc123")):
        with pytest.raises(KeyringUnavailable) as caught:
            call()
        assert SECRET not in everything_said_about(caught.value)
    for member in getattr(backend, "backends", [backend]):
        assert getattr(member, "passwords", {}) == {}  # the refused backend never saw the secret


def test_fail_backend_message_names_problem_and_fix() -> None:
    message = CredentialStore(fail.Keyring()).status().message
    assert message == (
        "No system keyring is available (Secret Service not running). Install and start "
        "gnome-keyring or KWallet, or keep the credentials for this session only."
    )


def test_a_chain_uses_its_real_backend_and_never_falls_through_to_plaintext() -> None:
    chain = RealThenPlaintextChain()
    real, plaintext = chain.backends
    store = CredentialStore(chain)
    store.save("oauth:abc123", SECRET)
    assert real.passwords == {(SERVICE, "oauth:abc123"): SECRET}
    assert plaintext.passwords == {}
    assert store.status().backend_name == "MemoryKeyring"


def test_session_only_store() -> None:
    store, other = SessionOnlyStore(), SessionOnlyStore()
    assert store.load("oauth:abc123") is None
    store.save("oauth:abc123", "first")
    store.save("oauth:abc123", SECRET)
    assert store.load("oauth:abc123") == SECRET
    assert other.load("oauth:abc123") is None
    assert SECRET not in repr(store)
    store.delete("oauth:abc123")
    store.delete("oauth:abc123")
    assert store.load("oauth:abc123") is None
    status = store.status()
    assert status.usable and "this session only" in status.message


def test_session_only_store_writes_nothing_to_the_keyring(memory_keyring: MemoryKeyring) -> None:
    SessionOnlyStore().save("oauth:abc123", SECRET)
    assert memory_keyring.passwords == {}


# --- a real Secret Service (throwaway gnome-keyring on a private bus) ------------------------

needs_secret_service = pytest.mark.secret_service


def dead_bus_address(tmp_path: Path, kind: str) -> str:
    """A bus address nobody answers: a socket file with no listener, or no file at all."""
    path = tmp_path / "dead-bus"
    if kind == "refusing":
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(path))  # bound, never listening, then closed: connect() is refused
    return f"unix:path={path}"


@needs_secret_service
def test_secret_service_is_detected(
    secret_service: SecretServiceDaemon, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert detect_backend_name(secret_service.backend()) == "SecretService"
    status = CredentialStore(secret_service.backend()).status()
    assert status.usable, status.message
    assert status.backend_name == "SecretService"
    # And keyring's own choice, as `--self-test` sees it: no config file, no override variable.
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    previous = keyring.get_keyring()
    keyring.backend.get_all_keyring.reset()  # its cache may predate this bus
    try:
        keyring.core.init_backend()
        assert detect_backend_name() == "SecretService"
    finally:
        keyring.set_keyring(previous)
        keyring.backend.get_all_keyring.reset()


@needs_secret_service
def test_secret_service_round_trip(secret_service: SecretServiceDaemon) -> None:
    store = CredentialStore(secret_service.backend())
    store.save("oauth:round-trip", SECRET)
    assert CredentialStore(secret_service.backend()).load("oauth:round-trip") == SECRET
    store.save("oauth:round-trip", "replaced")
    assert store.load("oauth:round-trip") == "replaced"
    store.delete("oauth:round-trip")
    assert store.load("oauth:round-trip") is None
    store.delete("oauth:round-trip")  # absent: no error


@needs_secret_service
def test_secret_service_keeps_ids_apart(secret_service: SecretServiceDaemon) -> None:
    store = CredentialStore(secret_service.backend())
    store.save("oauth:apart-1", "one")
    store.save("basic:https://shop.example.com|admin", "two")
    try:
        assert store.load("oauth:apart-1") == "one"
        assert store.load("basic:https://shop.example.com|admin") == "two"
        assert store.load("oauth:apart-3") is None
    finally:
        store.delete("oauth:apart-1")
        store.delete("basic:https://shop.example.com|admin")


@needs_secret_service
@pytest.mark.parametrize(
    "secret",
    ["pässwörd-€-日本語-🔑", "line one\nline two\ttab", "x" * 4096, " leading and trailing "],
    ids=["unicode", "control-chars", "4k", "spaces"],
)
def test_secret_service_unicode_and_odd_secrets(
    secret_service: SecretServiceDaemon, secret: str
) -> None:
    store = CredentialStore(secret_service.backend())
    store.save("oauth:ünïcode-id", secret)
    try:
        assert store.load("oauth:ünïcode-id") == secret
    finally:
        store.delete("oauth:ünïcode-id")


@needs_secret_service
def test_secret_service_never_writes_the_secret_in_clear(
    secret_service: SecretServiceDaemon,
) -> None:
    keyring_file = secret_service.data_dir / "keyrings" / "login.keyring"
    before = keyring_file.read_bytes()
    store = CredentialStore(secret_service.backend())
    store.save("oauth:on-disk", SECRET)
    try:
        assert keyring_file.read_bytes() != before  # gnome-keyring persisted it before replying
        for path in (p for p in secret_service.data_dir.rglob("*") if p.is_file()):
            assert SECRET.encode() not in path.read_bytes(), path
    finally:
        store.delete("oauth:on-disk")


@needs_secret_service
def test_uncreated_keyring_without_unlock_is_locked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A daemon started without --unlock has no usable login collection; no prompt can appear."""
    with private_secret_service(unlock=False) as locked:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", locked.bus_address)
        store = CredentialStore(locked.backend())
        status = store.status()
        assert not status.usable
        assert status.backend_name == "SecretService"
        assert "locked" in status.message and "session only" in status.message
        with pytest.raises(KeyringLocked) as caught:
            store.save("oauth:abc123", SECRET)
        assert SECRET not in everything_said_about(caught.value)
        with pytest.raises(KeyringLocked):
            store.load("oauth:abc123")


@needs_secret_service
def test_collection_locked_over_dbus_is_locked(monkeypatch: pytest.MonkeyPatch) -> None:
    with private_secret_service(unlock=True) as daemon:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", daemon.bus_address)
        store = CredentialStore(daemon.backend())
        store.save("oauth:abc123", SECRET)
        daemon.lock_default_collection()
        assert not store.status().usable
        for call in (lambda: store.load("oauth:abc123"), lambda: store.delete("oauth:abc123"),
                     lambda: store.save("oauth:abc123", SECRET)):
            with pytest.raises(KeyringLocked, match="locked") as caught:
                call()
            assert SECRET not in everything_said_about(caught.value)


@needs_secret_service
@pytest.mark.parametrize("kind", ["refusing", "missing", "unset"])
def test_no_bus_means_unavailable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kind: str
) -> None:
    if kind == "unset":
        monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    else:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", dead_bus_address(tmp_path, kind))
    store = CredentialStore(SecretService.Keyring())
    status = store.status()
    assert not status.usable
    assert status.message == (
        "No system keyring is available (SecretService is not running). Install and start "
        "gnome-keyring or KWallet, or keep the credentials for this session only."
    )
    for call in (lambda: store.save("oauth:abc123", SECRET), lambda: store.load("oauth:abc123"),
                 lambda: store.delete("oauth:abc123")):
        with pytest.raises(KeyringUnavailable) as caught:
            call()
        assert SECRET not in everything_said_about(caught.value)


@needs_secret_service
def test_bus_dying_mid_session_means_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Checked per call, not once: a keyring that vanishes after start-up is reported as such."""
    with private_secret_service(unlock=True) as daemon:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", daemon.bus_address)
        store = CredentialStore(daemon.backend())
        store.save("oauth:abc123", SECRET)
    with pytest.raises(KeyringUnavailable):
        store.load("oauth:abc123")


@needs_secret_service
def test_private_daemons_leave_nothing_behind() -> None:
    with private_secret_service(unlock=True) as daemon:
        pids = daemon.pids
        assert len(pids) == 2
        for pid in pids:
            os.kill(pid, 0)  # alive while in use
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_missing_daemon_fails_with_the_debian_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no dbus-daemon anywhere
    with pytest.raises(pytest.fail.Exception, match="apt-get install --no-install-recommends dbus"):
        with private_secret_service():
            pass
