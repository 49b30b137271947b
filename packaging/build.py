"""Build the standalone bundles with PyInstaller: one folder and one file.

    ./pim build                      # both, into dist/onedir/ and dist/onefile/
    ./pim build --onedir-only        # or --onefile-only
    ./pim build --full               # keep every Qt module/plugin (to measure the trimming)

Prints each bundle's size and build time. PyInstaller's cache goes to a throwaway directory
(PYINSTALLER_CONFIG_DIR), its work files to build/pyinstaller/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "product-image-manager.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
EXE_NAME = "product-image-manager"
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""


@dataclass(frozen=True)
class Built:
    mode: str
    bundle: Path  # the folder (onedir), the file (onefile) or the .app (macOS onedir)
    executable: Path
    seconds: float

    @property
    def megabytes(self) -> float:
        return tree_size(self.bundle) / 1e6


def tree_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build(mode: str, full: bool, config_dir: Path) -> Built:
    label = mode + ("-full" if full else "")
    dist, work = DIST / label, WORK / label
    if dist.exists():
        shutil.rmtree(dist)
    spec_args = (["--onefile"] if mode == "onefile" else []) + (["--full"] if full else [])
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
               "--log-level", "WARN", "--distpath", str(dist), "--workpath", str(work),
               str(SPEC), "--", *spec_args]
    print(f"build: {label}: {' '.join(command[1:])}", flush=True)
    env = {**os.environ, "PYINSTALLER_CONFIG_DIR": str(config_dir)}
    env.pop("PYTHONPATH", None)  # the bundle must take app/ from the checkout's pathex only
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"build: PyInstaller failed for {label} (exit {result.returncode})")

    if mode == "onefile":
        executable = bundle = dist / f"{EXE_NAME}{EXE_SUFFIX}"
    else:
        bundle = dist / EXE_NAME
        executable = bundle / f"{EXE_NAME}{EXE_SUFFIX}"
        apps = list(dist.glob("*.app"))
        if apps:  # macOS: the .app is what ships; the plain folder is its staging copy
            bundle = apps[0]
            executable = bundle / "Contents" / "MacOS" / EXE_NAME
    if not executable.is_file():
        raise SystemExit(f"build: {label}: PyInstaller succeeded but {executable} is missing")
    return Built(label, bundle, executable, seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--onedir-only", action="store_true", help="build the one-folder bundle")
    only.add_argument("--onefile-only", action="store_true", help="build the one-file bundle")
    parser.add_argument("--full", action="store_true",
                        help="skip the Qt trimming (outputs go to dist/<mode>-full/)")
    args = parser.parse_args(argv)

    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        print("build: PyInstaller is missing; install the packaging extra: "
              "pip install -c constraints.txt -e '.[packaging]' (./pim build does it)",
              file=sys.stderr)
        return 1

    modes = ["onedir"] if args.onedir_only else ["onefile"] if args.onefile_only \
        else ["onedir", "onefile"]
    config_dir = Path(tempfile.mkdtemp(prefix="pim-pyinstaller-"))
    try:
        results = [build(mode, args.full, config_dir) for mode in modes]
    finally:
        shutil.rmtree(config_dir, ignore_errors=True)

    print("\nbuild: done")
    for built in results:
        print(f"  {built.mode:<13} {built.megabytes:7.1f} MB  {built.seconds:5.1f} s  "
              f"{built.executable.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
