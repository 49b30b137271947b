"""Command line and start-up: parse arguments, build the QApplication, open the first window."""

from __future__ import annotations

import argparse
import os
import sys

from app import APP_NAME, __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="product-image-manager",
        description=f"{APP_NAME}: curate the product images of a BigCommerce store.",
        epilog="Secrets never go on the command line: with --api-base, set PIM_ACCESS_TOKEN "
               "(OAuth) or PIM_USERNAME and PIM_API_KEY (legacy Basic auth) in the environment.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="open the built-in demo store (a local emulator on 127.0.0.1)")
    parser.add_argument("--product", type=int, metavar="ID", help="open this product's images")
    parser.add_argument("--screenshot", metavar="PATH",
                        help="save the window as PNG once the first screen of thumbnails has "
                             "loaded, then exit (0 only if every visible thumbnail loaded)")
    parser.add_argument("--api-base", metavar="URL",
                        help="connect to this API base without the dialog (staging, emulator)")
    parser.add_argument("--auth", choices=("oauth", "basic"), default="oauth",
                        help="auth style for --api-base (default: oauth)")
    parser.add_argument("--offline", action="store_true",
                        help="work offline: browse and edit what is saved on this computer; "
                             "changes are sent when you go online (toolbar: Work offline)")
    parser.add_argument("--self-test", action="store_true",
                        help="print versions, Qt platform, image formats, keyring backend and "
                             "TLS bundle; exit non-zero if something the app needs is missing")
    return parser


def _has_display() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        if not _has_display():
            # The checks need Qt's image plugins, not a screen.
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from app.self_test import main as self_test_main

        return self_test_main()

    if not _has_display():
        # Without this, Qt aborts with a page about xcb plugins that names the wrong cause.
        print("product-image-manager: no display found. Start it from a desktop session, or "
              "on a server under a virtual screen: xvfb-run -a product-image-manager --demo",
              file=sys.stderr)
        return 2

    from app.ui.application import run_gui

    code = run_gui(args)
    # Worker threads are daemons and may still wait on a slow store; letting Python finalize
    # would race them against Qt's teardown (seen as a rare abort at exit). Everything that
    # must last is written by now, so leave at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
