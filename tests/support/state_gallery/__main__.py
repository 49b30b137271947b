"""Command line of the state gallery (see the package docstring); exit 1 if any shot failed."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSize

from .states import STATES, GalleryState


def parse_size(text: str) -> QSize:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 900x620, not {text!r}")
    return QSize(width, height)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.state_gallery",
        description="Screenshots of the main window in each state, and a check that no state "
                    "widens the window.")
    parser.add_argument("--out", type=Path, help="folder for the PNG files")
    parser.add_argument("--size", type=parse_size, action="append",
                        help="logical window size, repeatable (default: 900x620 and 1280x800)")
    parser.add_argument("--scale", type=int, default=1, choices=(1, 2, 3),
                        help="device pixel ratio, through QT_SCALE_FACTOR (default 1)")
    parser.add_argument("--only", action="append", default=[],
                        help="state names, comma-separated or repeated (default: all)")
    parser.add_argument("--report", type=Path, help="write the JSON report there")
    parser.add_argument("--prefix", default="", help="file name prefix, e.g. screenshot-")
    parser.add_argument("--plain-names", action="store_true",
                        help="name files PREFIX<state>.png, without size and scale")
    parser.add_argument("--xvfb", choices=("auto", "always", "never"), default="auto",
                        help="run under xvfb-run: auto = when there is no display (default)")
    parser.add_argument("--list", action="store_true", help="list the states and exit")
    return parser


def needs_xvfb(mode: str) -> bool:
    if mode != "auto":
        return mode == "always"
    if os.environ.get("QT_QPA_PLATFORM", "").startswith("offscreen"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_under_xvfb(argv: list[str], sizes: list[QSize], scale: int) -> int:
    """Runs this command again inside a fresh Xvfb big enough for a window twice as wide as
    asked, so a widening shows as it would on a real screen."""
    if shutil.which("xvfb-run") is None:
        print("state gallery: xvfb-run is missing: apt-get install xvfb xauth", file=sys.stderr)
        return 2
    width = max(1920, 2 * scale * max(size.width() for size in sizes))
    height = max(1200, 2 * scale * max(size.height() for size in sizes))
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    command = ["xvfb-run", "-a", "-s", f"-screen 0 {width}x{height}x24",
               sys.executable, "-m", "tests.support.state_gallery", *argv, "--xvfb", "never"]
    return subprocess.run(command, env=env, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if args.list:
        for gallery_state in STATES.values():
            print(f"{gallery_state.name:22} {gallery_state.description}")
        return 0
    if args.out is None:
        build_parser().error("--out is required")
    sizes: list[QSize] = args.size or [QSize(900, 620), QSize(1280, 800)]
    if args.plain_names and len(sizes) > 1:
        build_parser().error("--plain-names names one picture per state: give one --size")
    names = [name for option in args.only for name in option.split(",") if name]
    unknown = [name for name in names if name not in STATES]
    if unknown:
        build_parser().error(f"unknown state(s) {', '.join(unknown)}; "
                             f"known: {', '.join(STATES)}")
    if needs_xvfb(args.xvfb):
        return run_under_xvfb(argv, sizes, args.scale)
    return run_here(args, [STATES[name] for name in names] or list(STATES.values()), sizes)


def run_here(args: argparse.Namespace, states: list[GalleryState], sizes: list[QSize]) -> int:
    # Settings, caches and saved stores of the gallery never touch the merchant's own (each
    # state then gets folders of its own: runner.first_run_folders).
    home = tempfile.mkdtemp(prefix="pim-gallery-home-")
    for variable, folder in (("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache"),
                             ("XDG_DATA_HOME", "data")):
        os.environ[variable] = str(Path(home) / folder)
    os.environ["PIM_DATA_DIR"] = str(Path(home) / "pim-data")
    if args.scale != 1:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)
    else:
        os.environ.pop("QT_SCALE_FACTOR", None)

    from PySide6.QtWidgets import QApplication

    from app import APP_NAME
    from .runner import GalleryRunner

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("Product Image Manager")
    try:
        shots = GalleryRunner(args.out, args.scale, args.prefix, args.plain_names).run(
            states, sizes)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if args.report is not None:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps([shot.to_json() for shot in shots], indent=2) + "\n",
                               encoding="utf-8")
    failed = [shot for shot in shots if shot.verdict() != "ok"]
    print(f"state gallery: {len(shots)} shot(s) in {args.out}, {len(failed)} with a problem")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
