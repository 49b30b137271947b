"""The one door between store secrets and the OS keyring.

Secrets live in the system keyring (Secret Service, KWallet, Keychain, Credential Locker) or, when
the merchant chooses it, in memory for this run. Nothing here writes a secret to disk, a log, an
error message or a repr, and no plaintext "keyring" is ever used as a fallback.

`keyring` is imported and its backend chosen on first use, which the app makes on a worker
thread: importing it and probing the backend costs a few hundred ms (D-Bus), and a backend
that cannot even be loaded (a PYTHON_KEYRING_BACKEND naming a missing or broken class) is
just another KeyringUnavailable, never a crash at start.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "product-image-manager"
_PROBE_ID = "keyring-status-probe"  # only ever read: a read is what reveals a locked collection
_INSECURE_MARKS = ("keyrings.alt", "plaintext", "insecure", "unencrypted")
_OR_SESSION = "or keep the credentials for this session only."
_FIX = f"Install and start gnome-keyring or KWallet, {_OR_SESSION}"
_LOCKED = (
    "The system keyring is locked and could not be unlocked. Unlock it (log in again, or open "
    f"your password manager such as Passwords and Keys) and try again, {_OR_SESSION}"
)

T = TypeVar("T")


class CredentialError(Exception):
    """The keyring failed; the message says what to do and never contains a secret."""


class KeyringUnavailable(CredentialError):
    """No keyring that keeps secrets safely is usable on this system."""


class KeyringLocked(CredentialError):
    """The keyring exists but is locked and the unlock was refused or impossible."""


@dataclass(frozen=True)
class KeyringStatus:
    usable: bool
    backend_name: str
    message: str


class SecretStore(Protocol):
    """What the app codes against: a CredentialStore or a SessionOnlyStore."""

    def status(self) -> KeyringStatus: ...
    def save(self, store_id: str, secret: str) -> None: ...
    def load(self, store_id: str) -> str | None: ...
    def delete(self, store_id: str) -> None: ...


def load_default_backend() -> KeyringBackend:
    """keyring's choice (PYTHON_KEYRING_BACKEND, its config file, else auto-detection).
    Any failure to load it, whatever keyring or the backend raise, is KeyringUnavailable."""
    try:
        import keyring

        return keyring.get_keyring()
    except Exception as exc:
        failure = type(exc).__name__
    configured = os.environ.get("PYTHON_KEYRING_BACKEND", "").strip()
    if configured:
        raise KeyringUnavailable(
            f"The keyring named in PYTHON_KEYRING_BACKEND ({configured[:80]}) cannot be loaded "
            f"({failure}). Unset that setting or name an installed keyring, {_OR_SESSION}")
    raise KeyringUnavailable(f"The system keyring cannot be loaded ({failure}). {_FIX}")


def detect_backend_name(backend: KeyringBackend | None = None) -> str:
    """Short backend name for --self-test and the status line, e.g. "SecretService";
    "none" when keyring's own choice cannot even be loaded."""
    if backend is None:
        try:
            backend = load_default_backend()
        except KeyringUnavailable:
            return "none"
    cls = type(backend)
    # keyring names most backend classes plain "Keyring": the module says which one it is.
    return cls.__module__.rpartition(".")[2] if cls.__name__ == "Keyring" else cls.__name__


def _refusal(backend: KeyringBackend) -> str | None:
    """Why this backend must not hold secrets, or None when it may."""
    from keyring.backends import fail, null

    cls, name = type(backend), detect_backend_name(backend)
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return f"No system keyring is available (Secret Service not running). {_FIX}"
    if any(mark in f"{cls.__module__}.{cls.__qualname__}".lower() for mark in _INSECURE_MARKS):
        return f"The only keyring found ({name}) would store passwords unprotected on disk. {_FIX}"
    try:
        priority = cls.priority  # evaluating it is the backend's own "is my service there?" check
    except Exception:
        return f"No system keyring is available ({name} is not running). {_FIX}"
    if priority < 1:  # keyring's convention: below 1 is a fallback, not a real keyring
        return f"The only keyring found ({name}) is a fallback that is not trusted. {_FIX}"
    return None


def _usable(backend: KeyringBackend) -> KeyringBackend:
    from keyring.backends import chainer

    if isinstance(backend, chainer.ChainerBackend):
        # Use the best real backend directly so a failure can never fall through to a file backend.
        real: list[KeyringBackend] = [b for b in backend.backends if _refusal(b) is None]
        if not real:
            raise KeyringUnavailable(f"No system keyring is available. {_FIX}")
        return real[0]
    reason = _refusal(backend)
    if reason:
        raise KeyringUnavailable(reason)
    return backend


def _chain_names(exc: BaseException) -> set[str]:
    names: set[str] = set()
    link: BaseException | None = exc
    while link is not None:  # keyring wraps secretstorage's errors: look at the cause too
        names |= {c.__name__ for c in type(link).__mro__}
        link = link.__cause__
    return names


def _translate(exc: Exception, name: str) -> CredentialError:
    """Map a backend failure to our types, from its class only: its text may echo the secret."""
    import keyring.errors

    names = _chain_names(exc)  # secretstorage's own errors are matched by name: it may be absent
    dismissed = isinstance(exc, keyring.errors.InitError) and "dismissed" in str(exc).lower()
    if dismissed or names & {"KeyringLocked", "LockedException", "PromptDismissedException"}:
        return KeyringLocked(_LOCKED)  # a dismissed unlock/create prompt: the keyring stays locked
    if names & {"NoKeyringError", "InitError", "SecretServiceNotAvailableException", "OSError"}:
        return KeyringUnavailable(f"The system keyring ({name}) cannot be reached. {_FIX}")
    return CredentialError(
        f"The system keyring ({name}) failed ({type(exc).__name__}). Try again; if it keeps "
        f"failing, restart your session {_OR_SESSION}"
    )


class CredentialStore:
    """Store secrets in the OS keyring, keyed by the caller's store id."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        # None: keyring's choice, loaded on first use (on a worker: it is slow and may fail).
        self._backend = backend

    def __repr__(self) -> str:
        name = detect_backend_name(self._backend) if self._backend is not None else "not loaded"
        return f"CredentialStore(backend={name!r})"

    def _resolved(self) -> KeyringBackend:
        if self._backend is None:
            self._backend = load_default_backend()  # raises KeyringUnavailable
        return self._backend

    def status(self) -> KeyringStatus:
        name = "none"
        try:
            backend = self._resolved()
            name = detect_backend_name(backend)
            name = detect_backend_name(_usable(backend))
            self._call(lambda b: b.get_password(SERVICE, _PROBE_ID))
        except CredentialError as exc:
            return KeyringStatus(False, name, str(exc))
        return KeyringStatus(True, name, f"Credentials are kept in the system keyring ({name}).")

    def backend_status(self) -> KeyringStatus:
        """Like `status`, without the probe read: loads and judges the backend only, so it
        never makes a locked keyring ask for its password (for the check at start)."""
        name = "none"
        try:
            backend = self._resolved()
            name = detect_backend_name(backend)
            name = detect_backend_name(_usable(backend))
        except CredentialError as exc:
            return KeyringStatus(False, name, str(exc))
        except Exception as exc:  # a backend whose own checks blow up: not usable
            return KeyringStatus(False, name, str(_translate(exc, name)))
        return KeyringStatus(True, name, f"Credentials are kept in the system keyring ({name}).")

    def save(self, store_id: str, secret: str) -> None:
        _check_id(store_id)
        self._call(lambda b: b.set_password(SERVICE, store_id, secret))

    def load(self, store_id: str) -> str | None:
        _check_id(store_id)
        return self._call(lambda b: b.get_password(SERVICE, store_id))

    def delete(self, store_id: str) -> None:
        _check_id(store_id)

        import keyring.errors

        def delete_if_present(b: KeyringBackend) -> None:
            try:
                b.delete_password(SERVICE, store_id)
            except keyring.errors.PasswordDeleteError:
                pass  # nothing stored under this id: already the state the caller wants

        self._call(delete_if_present)

    def _call(self, action: Callable[[KeyringBackend], T]) -> T:
        backend = _usable(self._resolved())
        try:
            return action(backend)
        except Exception as exc:
            failure = _translate(exc, detect_backend_name(backend))
        # Raised outside the except block so the backend's exception (which may quote the
        # secret) is neither __cause__ nor __context__ and never reaches a traceback or log.
        raise failure


class SessionOnlyStore:
    """Secrets in memory for this run only; offered (never chosen silently) if no keyring works."""

    def __init__(self) -> None:
        self._secrets: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"SessionOnlyStore({len(self._secrets)} stored)"

    def status(self) -> KeyringStatus:
        message = "Credentials are kept in memory for this session only; you will be asked again."
        return KeyringStatus(True, "session only", message)

    def save(self, store_id: str, secret: str) -> None:
        _check_id(store_id)
        self._secrets[store_id] = secret

    def load(self, store_id: str) -> str | None:
        return self._secrets.get(store_id)

    def delete(self, store_id: str) -> None:
        self._secrets.pop(store_id, None)


def _check_id(store_id: str) -> None:
    if not isinstance(store_id, str) or not store_id:
        raise ValueError("store_id must be a non-empty string")
