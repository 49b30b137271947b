"""Runs every benchmark against the emulator and prints one table: `./pim bench [--tiny] [name…]`.

Each module in BENCHMARKS has `run(size) -> list[Figure]`; "tiny" is the size the test suite
runs so that none can rot, "full" the one whose numbers the README quotes.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.figures import Figure, table  # noqa: E402

BENCHMARKS = ["card_paint", "first_screen", "grid_smoothness", "offline_first_screen", "paging",
              "reorder", "scroll_to_end", "soak", "startup", "store_sync", "upload", "upload_check",
              "upload_drop"]


def run(names: list[str], size: str) -> list[Figure]:
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication([])  # noqa: F841 - signals need it
    figures: list[Figure] = []
    for name in names:
        started = time.perf_counter()
        module = importlib.import_module(f"benchmarks.{name}")
        figures.extend(module.run(size))
        print(f"bench: {name} done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="./pim bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="name",
                        help=f"some of: {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--tiny", action="store_true", help="the test suite's quick size")
    args = parser.parse_args()
    unknown = sorted(set(args.names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)}; there are {', '.join(BENCHMARKS)}")
    figures = run(args.names or BENCHMARKS, "tiny" if args.tiny else "full")
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform(terse=True)}\n")
    print(table(figures))


if __name__ == "__main__":
    main()
