"""pytest plugin: a throwaway gnome-keyring on a private D-Bus, and an in-memory keyring.

The recipe (measured in the platform notes): a private bus, fresh XDG dirs in a temp dir,
``gnome-keyring-daemon --foreground --unlock`` fed a password on stdin, then wait until
``org.freedesktop.secrets`` has an owner. Each daemon runs in its own process group so teardown
can kill it and prove nothing is left behind.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import keyring
import pytest
from keyring.backends import SecretService

from tests.support.memory_keyring import MemoryKeyring

START_TIMEOUT = 10.0  # seconds; startup takes ~0.05 s here, the margin is for loaded CI machines
STOP_TIMEOUT = 5.0
PASSWORD = b"throwaway-test-keyring"

# Not `dbus-daemon --session`: the standard session config makes everything in
# /usr/share/dbus-1/services activatable, so an unlock prompt would launch gcr-prompter (a real
# dialog that blocks the test on a desktop) and a crashed daemon would be replaced by the
# machine's own gnome-keyring, outside our process groups. This bus activates nothing.
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@dataclass(frozen=True)
class SecretServiceDaemon:
    bus_address: str
    data_dir: Path  # the daemon's XDG_DATA_HOME: its keyring files live in data_dir/keyrings
    pids: tuple[int, ...]

    def backend(self) -> SecretService.Keyring:
        """A fresh keyring SecretService backend for this bus.

        keyring's backend reads DBUS_SESSION_BUS_ADDRESS on every call (as the app will), so the
        environment is what binds it; refuse to hand out one that would talk to another bus.
        """
        current = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
        if current != self.bus_address:
            raise AssertionError(
                f"DBUS_SESSION_BUS_ADDRESS is {current!r}, not this daemon's bus "
                f"{self.bus_address!r}: set it (monkeypatch.setenv) before calling backend()"
            )
        return SecretService.Keyring()

    def lock_default_collection(self) -> None:
        """Lock the default collection, as the desktop does on screen lock or timeout."""
        _dbus_send(
            self.bus_address, "org.freedesktop.secrets", "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/aliases/default",
        )


def _require(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(
            f"{tool} is not installed; the Secret Service tests need it. Install the Debian "
            f"package: apt-get install --no-install-recommends {package}",
            pytrace=False,
        )
    return path


def _dbus_send(address: str, dest: str, path: str, method: str, *args: str) -> str:
    dbus_send = _require("dbus-send", "dbus")
    command = [dbus_send, f"--bus={address}", "--print-reply", f"--dest={dest}", path, method]
    done = subprocess.run([*command, *args], capture_output=True, text=True, timeout=STOP_TIMEOUT)
    if done.returncode != 0:
        raise RuntimeError(f"{method} failed on {address}: {done.stderr.strip()}")
    return done.stdout


def _read_line(stream: IO[bytes], timeout: float) -> str:
    """One line from a child's stdout, or "" on EOF/timeout (no blocking read without a limit)."""
    line = b""
    deadline = time.monotonic() + timeout
    while not line.endswith(b"\n"):
        ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return ""
        chunk = os.read(stream.fileno(), 1)
        if not chunk:
            return ""
        line += chunk
    return line.decode().strip()


def _group_members(pgid: int) -> list[str]:
    """Live (non-zombie) processes in a process group, as "pid name"."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, _, rest = stat.read_text().rpartition(")")
        except OSError:
            continue  # exited while we looked
        state, _ppid, group = rest.split()[:3]
        if int(group) == pgid and state != "Z":
            members.append(f"{stat.parent.name} {head.partition('(')[2]}")
    return members


def _stop(processes: list[subprocess.Popen[bytes]]) -> list[str]:
    """Kill each daemon's process group; return whatever survived."""
    leftovers = []
    for process in reversed(processes):  # the keyring first, then the bus it talks to
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                continue
            deadline = time.monotonic() + STOP_TIMEOUT
            while _group_members(process.pid) and time.monotonic() < deadline:
                time.sleep(0.01)
            if not _group_members(process.pid):
                break
        leftovers += _group_members(process.pid)
        if process.stdout:
            process.stdout.close()
    return leftovers


def _wait_for_owner(address: str, processes: list[subprocess.Popen[bytes]], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                pytest.fail(
                    f"{process.args!r} exited with code {process.returncode} during start-up:\n"
                    f"{log.read_text(errors='replace')}", pytrace=False,
                )
        reply = _dbus_send(
            address, "org.freedesktop.DBus", "/", "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.secrets",
        )
        if "boolean true" in reply:
            return
        time.sleep(0.02)
    pytest.fail(
        f"gnome-keyring-daemon did not own org.freedesktop.secrets within {START_TIMEOUT:g} s:\n"
        f"{log.read_text(errors='replace')}", pytrace=False,
    )


def _die_with_parent() -> None:
    """Runs in the child before exec: if pytest itself dies (a crash, a kill -9), the kernel
    sends SIGTERM to the daemon, so no teardown is needed to leave nothing behind."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


@contextmanager
def private_secret_service(*, unlock: bool = True) -> Iterator[SecretServiceDaemon]:
    """Start a private bus and gnome-keyring; unlock=False leaves the keyring locked (uncreated).

    Does not touch os.environ: callers point DBUS_SESSION_BUS_ADDRESS at `.bus_address`.
    """
    dbus_daemon = _require("dbus-daemon", "dbus")
    keyring_daemon = _require("gnome-keyring-daemon", "gnome-keyring")
    _require("dbus-send", "dbus")
    root = Path(tempfile.mkdtemp(prefix="pim-keyring-"))  # mode 0700, short enough for a socket
    dirs = {name: root / name for name in ("run", "data", "config", "cache", "home")}
    for path in dirs.values():
        path.mkdir(mode=0o700)
    (root / "bus.conf").write_text(BUS_CONFIG.format(socket=root / "bus"))
    log = root / "daemons.log"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with log.open("ab") as log_file:
            # A clean environment: no DISPLAY (no prompts), no real bus, nothing from $HOME.
            env = {
                "PATH": os.environ.get("PATH", os.defpath), "LANG": "C.UTF-8",
                "HOME": str(dirs["home"]), "XDG_RUNTIME_DIR": str(dirs["run"]),
                "XDG_DATA_HOME": str(dirs["data"]), "XDG_CONFIG_HOME": str(dirs["config"]),
                "XDG_CACHE_HOME": str(dirs["cache"]),
            }
            bus = subprocess.Popen(
                [dbus_daemon, f"--config-file={root / 'bus.conf'}", "--nofork", "--print-address"],
                stdout=subprocess.PIPE, stderr=log_file, env=env, start_new_session=True,
                preexec_fn=_die_with_parent,
            )
            processes.append(bus)
            assert bus.stdout is not None
            address = _read_line(bus.stdout, START_TIMEOUT)
            if not address:
                pytest.fail(
                    f"dbus-daemon printed no address:\n{log.read_text(errors='replace')}",
                    pytrace=False,
                )
            env["DBUS_SESSION_BUS_ADDRESS"] = address
            command = [keyring_daemon, "--foreground", "--components=secrets"]
            gnome_keyring = subprocess.Popen(
                command + ["--unlock"] if unlock else command,
                stdin=subprocess.PIPE if unlock else subprocess.DEVNULL,
                stdout=log_file, stderr=log_file, env=env, start_new_session=True,
                preexec_fn=_die_with_parent,
            )
            processes.append(gnome_keyring)
            if gnome_keyring.stdin:
                gnome_keyring.stdin.write(PASSWORD)  # --unlock reads the password up to EOF
                gnome_keyring.stdin.close()
        _wait_for_owner(address, processes, log)
        yield SecretServiceDaemon(address, dirs["data"], tuple(p.pid for p in processes))
    finally:
        leftovers = _stop(processes)
        shutil.rmtree(root, ignore_errors=True)
        # Raised even while another exception propagates (it becomes __context__, not lost).
        if leftovers:
            raise AssertionError(f"daemons still running after teardown: {leftovers}")


@pytest.fixture(scope="session")
def secret_service() -> Iterator[SecretServiceDaemon]:
    """One unlocked gnome-keyring for the session, with DBUS_SESSION_BUS_ADDRESS pointing at it."""
    with private_secret_service(unlock=True) as daemon, pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBUS_SESSION_BUS_ADDRESS", daemon.bus_address)
        yield daemon


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """MemoryKeyring installed as keyring's global backend; the previous one restored after."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
