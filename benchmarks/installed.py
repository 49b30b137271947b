"""The environment a benchmark's child process runs in: Python as an installed app runs.

An installed app (a venv, a frozen bundle) imports its modules from bytecode. With
PYTHONDONTWRITEBYTECODE set, as in some shells and CI, a child would compile the app's own
modules from source at every start, a cost no merchant pays, and the app's figures would
carry it while a baseline importing only installed libraries would not. Children get a
bytecode cache in a folder the benchmark owns (`compile_app` fills it), never in the source
tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child_environment(bytecode_dir: Path, **extra: str) -> dict[str, str]:
    environment = dict(os.environ, PYTHONPYCACHEPREFIX=str(bytecode_dir), **extra)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def compile_app(bytecode_dir: Path) -> None:
    """Fills `bytecode_dir` with the app's bytecode, as installing it does."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "app")],
                   env=child_environment(bytecode_dir), check=True, capture_output=True)
