"""Smoke-test the frozen app (Linux): it must run without Python, the venv or the checkout.

    .venv/bin/python packaging/smoke_test.py                        # dist/onedir bundle
    .venv/bin/python packaging/smoke_test.py --bundle dist/onefile/product-image-manager
    .venv/bin/python packaging/smoke_test.py --skip-screenshot      # the self-test only

The bundle is first copied to a temporary directory (so it cannot lean on dist/ or the
checkout) and run from there with a minimal environment: no PYTHONPATH or venv, a fresh HOME,
cwd in the temporary directory. Then:

1. `--self-test`, inside a throwaway unlocked gnome-keyring on a private D-Bus session, must exit
   0 and report: a frozen app; the jpeg, png, gif and webp image formats; the SecretService
   keyring backend; a TLS bundle inside the bundle (not in the venv).
2. `--demo --screenshot shot.png` under Xvfb (same keyring set-up), with `portable.txt` beside
   the executable, must exit 0 and write a PNG with several colours; settings and cache must land
   in `pim-data/` beside the executable and nothing in HOME (portable mode).

Exits 0 when every check passed, 1 with the reason otherwise. Needs: dbus (dbus-run-session,
dbus-send), gnome-keyring, xvfb (xvfb-run), Pillow.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE_NAME = "product-image-manager"
DEFAULT_BUNDLE = ROOT / "dist" / "onedir" / EXE_NAME
REQUIRED_FORMATS = ("jpeg", "png", "gif", "webp")
EXPECTED_BACKEND = "SecretService"
SELF_TEST_TIMEOUT_S = 60
SCREENSHOT_TIMEOUT_S = 180
MIN_COLOURS = 16  # a blank or single-colour window has 1-3

# Runs "$@" inside a private session bus with a fresh, unlocked gnome-keyring (the recipe in
# the platform notes): the daemon runs in the foreground as our child and is always killed.
KEYRING_SESSION = r"""
set -u
printf '%s' "$SMOKE_KEYRING_PASSWORD" \
    | gnome-keyring-daemon --foreground --unlock --components=secrets >"$SMOKE_KEYRING_LOG" 2>&1 &
daemon=$!
trap 'kill "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null' EXIT
tries=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
        | grep -q 'boolean true'; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ]; then
        echo "smoke: gnome-keyring did not claim org.freedesktop.secrets within 10 s" >&2
        exit 97
    fi
    sleep 0.1
done
"$@"
"""


class SmokeFailure(Exception):
    """A check failed; the message says which and what was seen."""


@dataclass(frozen=True)
class Run:
    returncode: int
    output: str  # stdout and stderr, interleaved
    seconds: float


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE,
                        help="one-folder bundle directory or one-file executable "
                             f"(default: {DEFAULT_BUNDLE.relative_to(ROOT)})")
    parser.add_argument("--skip-screenshot", action="store_true",
                        help="run the self-test only (no Xvfb, no GUI)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary directory (its path is printed)")
    args = parser.parse_args(argv)

    if not sys.platform.startswith("linux"):
        print("smoke: Linux only (gnome-keyring, Xvfb); on Windows and macOS the CI workflow "
              "runs --self-test", file=sys.stderr)
        return 2
    temp = Path(tempfile.mkdtemp(prefix="pim-smoke-"))
    started = time.monotonic()
    failures = []
    try:
        exe = relocate(args.bundle.resolve(), temp / "bundle")
        steps = [check_self_test] + ([] if args.skip_screenshot else [check_screenshot])
        for step in steps:  # every step runs, so one report shows everything that is wrong
            try:
                step(exe, temp)
            except SmokeFailure as failure:
                failures.append(str(failure))
                print(f"smoke: FAILED: {failure}", file=sys.stderr, flush=True)
    except SmokeFailure as failure:
        failures.append(str(failure))
        print(f"smoke: FAILED: {failure}", file=sys.stderr)
    finally:
        if args.keep:
            print(f"smoke: kept {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)
    seconds = time.monotonic() - started
    if failures:
        print(f"smoke: {len(failures)} check(s) FAILED ({seconds:.1f} s)", file=sys.stderr)
        return 1
    print(f"smoke: PASSED{' (screenshot skipped)' if args.skip_screenshot else ''} "
          f"({seconds:.1f} s)")
    return 0


def relocate(bundle: Path, destination: Path) -> Path:
    """Copy the bundle out of the checkout; returns the copied executable."""
    if bundle.is_dir():
        exe = bundle / EXE_NAME
        if not exe.is_file():
            raise SmokeFailure(f"{bundle} has no {EXE_NAME} executable: run ./pim build first")
        shutil.copytree(bundle, destination, symlinks=True)
        return destination / EXE_NAME
    if bundle.is_file():
        destination.mkdir(parents=True)
        shutil.copy2(bundle, destination / EXE_NAME)
        return destination / EXE_NAME
    raise SmokeFailure(f"no bundle at {bundle}: run ./pim build first")


def clean_environment(temp: Path, step: str) -> dict[str, str]:
    """What a user's desktop session would give, minus anything pointing at Python or the
    checkout; HOME and the XDG directories are fresh for each step."""
    home = temp / step / "home"
    runtime = temp / step / "runtime"
    for directory in (home, runtime):
        directory.mkdir(parents=True)
    runtime.chmod(0o700)
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }


def run_frozen(command: list[str], env: dict[str, str], cwd: Path, timeout: float,
               keyring_log: Path) -> Run:
    """Run `command` inside a keyring session, in its own process group: on a timeout the
    whole group (bus, keyring daemon, Xvfb, app) is killed, and nothing may outlive the run."""
    for tool in ("dbus-run-session", "dbus-send", "gnome-keyring-daemon"):
        if shutil.which(tool, path=env["PATH"]) is None:
            raise SmokeFailure(f"{tool} is missing: apt-get install dbus gnome-keyring")
    env = {**env, "SMOKE_KEYRING_PASSWORD": "smoke-test", "SMOKE_KEYRING_LOG": str(keyring_log)}
    full = ["dbus-run-session", "--", "sh", "-c", KEYRING_SESSION, "keyring-session", *command]
    started = time.monotonic()
    process = subprocess.Popen(full, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               errors="replace", start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(process.pid)
        output, _ = process.communicate()
        raise SmokeFailure(f"{' '.join(command)} did not finish within {timeout:.0f} s; "
                           f"output so far:\n{output}") from None
    finally:
        if process.poll() is None:
            kill_group(process.pid)
            process.wait()
    survivors = wait_for_group_exit(process.pid)
    if survivors:
        raise SmokeFailure(f"processes outlived {' '.join(command[:1])}: {survivors}")
    return Run(process.returncode, output, time.monotonic() - started)


def kill_group(pgid: int) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        time.sleep(1)


def wait_for_group_exit(pgid: int, grace_s: float = 3.0) -> str:
    """'' once no process of the group is left; else kills them and says which they were."""
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return ""
        time.sleep(0.1)
    names = subprocess.run(["ps", "-o", "pid=,comm=", "-g", str(pgid)], capture_output=True,
                           text=True).stdout.split()
    kill_group(pgid)
    return " ".join(names) or f"process group {pgid}"


def indented(output: str) -> str:
    """The frozen app's output for the log, minus the private bus's harmless fd-limit notice."""
    lines = [line for line in output.splitlines() if "Failed to set fd limit" not in line]
    return "".join(f"    {line}\n" for line in lines)


def parse_self_test(output: str) -> dict[str, tuple[bool, str]]:
    """`ok   image formats  gif jpeg ...` lines -> {"image formats": (True, "gif jpeg ...")};
    a "warn" line is not a failure (the keyring's value is still checked below)."""
    checks = {}
    for line in output.splitlines():
        match = re.match(r"^(ok|warn|FAIL)\s+(\S.*?)\s{2,}(.*)$", line)
        if match:
            checks[match.group(2).strip()] = (match.group(1) != "FAIL", match.group(3).strip())
    return checks


def check_self_test(exe: Path, temp: Path) -> None:
    env = clean_environment(temp, "self-test")
    env["QT_QPA_PLATFORM"] = "offscreen"
    run = run_frozen([str(exe), "--self-test"], env, temp, SELF_TEST_TIMEOUT_S,
                     temp / "self-test" / "keyring.log")
    print(f"smoke: --self-test exited {run.returncode} in {run.seconds:.1f} s")
    print(indented(run.output), end="")

    problems = []
    if run.returncode != 0:
        problems.append(f"--self-test exited {run.returncode}")
    checks = parse_self_test(run.output)
    if not checks:
        raise SmokeFailure(f"--self-test exited {run.returncode} without reporting any check "
                           "(its output is above)")
    failed = [name for name, (ok, _value) in checks.items() if not ok]
    if failed:
        problems.append(f"self-test checks failed: {', '.join(failed)}")

    app = checks.get("app", (False, ""))[1]
    if "(frozen)" not in app:
        problems.append(f"the app does not report itself frozen: {app!r}")
    formats = checks.get("image formats", (False, ""))[1].split()
    missing = [f for f in REQUIRED_FORMATS if f not in formats]
    if missing:
        problems.append(f"image formats missing: {', '.join(missing)} (have: {' '.join(formats)})")
    backend = checks.get("keyring backend", (False, ""))[1]
    if backend != EXPECTED_BACKEND:
        log = (temp / "self-test" / "keyring.log").read_text(errors="replace").strip()
        problems.append(f"keyring backend is {backend!r}, expected {EXPECTED_BACKEND!r}"
                        + (f"; gnome-keyring said: {log}" if log else ""))
    bundle_path = checks.get("tls bundle", (False, ""))[1]
    if not bundle_path:
        problems.append("no TLS bundle reported")
    elif exe.parent.is_dir() and (exe.parent / "_internal").is_dir() \
            and not bundle_path.startswith(str(exe.parent)):
        problems.append(f"the TLS bundle {bundle_path} is not inside the frozen app")
    elif bundle_path.startswith((str(ROOT), sys.prefix)):
        problems.append(f"the TLS bundle {bundle_path} comes from the checkout or the venv")
    if problems:
        raise SmokeFailure("; ".join(problems))
    print("smoke: self-test OK (frozen; jpeg png gif webp; SecretService; TLS bundle inside)")


def check_screenshot(exe: Path, temp: Path) -> None:
    if shutil.which("xvfb-run") is None:
        raise SmokeFailure("xvfb-run is missing: apt-get install xvfb xauth")
    env = clean_environment(temp, "screenshot")
    (exe.parent / "portable.txt").write_text("Keep settings and cache in pim-data/ here.\n")
    shot = temp / "shot.png"
    command = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24",
               str(exe), "--demo", "--screenshot", str(shot)]
    run = run_frozen(command, env, temp, SCREENSHOT_TIMEOUT_S, temp / "screenshot" / "keyring.log")
    print(f"smoke: --demo --screenshot exited {run.returncode} in {run.seconds:.1f} s")
    print(indented(run.output), end="")  # Qt warnings (a plugin that failed to load) show here
    if run.returncode != 0:
        raise SmokeFailure(f"--demo --screenshot exited {run.returncode} (1: a visible picture "
                           "failed to load, 2: timed out; see its output above)")
    if not shot.is_file():
        raise SmokeFailure(f"--demo --screenshot exited 0 but wrote no {shot.name}")
    describe_screenshot(shot)

    portable = exe.parent / "pim-data"
    if not portable.is_dir() or not any(portable.iterdir()):
        raise SmokeFailure(f"portable mode: {portable} was not created beside the executable")
    leaked = files_left_in_home(Path(env["HOME"]))
    if leaked:
        raise SmokeFailure(f"portable mode: the app still wrote to {', '.join(leaked)}")
    print(f"smoke: portable mode OK ({', '.join(sorted(p.name for p in portable.iterdir()))} "
          "in pim-data/ beside the executable, nothing in HOME)")


# What the desktop stack itself keeps in HOME (the throwaway keyring, font and shader caches).
NOT_THE_APPS = {"keyrings", "fontconfig", "mesa_shader_cache", "mesa_shader_cache_db"}


def files_left_in_home(home: Path) -> list[str]:
    """Files the app wrote under HOME (portable mode must write none)."""
    leaked = []
    for path in sorted(home.rglob("*")):
        relative = path.relative_to(home)
        if path.is_file() and not NOT_THE_APPS.intersection(relative.parts):
            leaked.append(str(relative))
    return leaked


def describe_screenshot(shot: Path) -> None:
    from PIL import Image

    try:
        with Image.open(shot) as image:
            image_format, size = image.format, image.size
            colours = image.convert("RGB").getcolors(maxcolors=1 << 24) or []
    except OSError as error:
        raise SmokeFailure(f"{shot.name} is not a readable image: {error}") from None
    if image_format != "PNG":
        raise SmokeFailure(f"{shot.name} is {image_format}, not PNG")
    if len(colours) < MIN_COLOURS:
        raise SmokeFailure(f"{shot.name} looks blank: {len(colours)} colour(s) in "
                           f"{size[0]}x{size[1]} pixels")
    print(f"smoke: screenshot OK ({size[0]}x{size[1]} PNG, {len(colours)} colours)")


if __name__ == "__main__":
    sys.exit(main())
