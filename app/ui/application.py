"""QApplication set-up and start-up routes: the start screen, the demo, or a direct connection."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app import APP_NAME, __version__
from app.api.auth import BasicCredentials, OAuthCredentials, StoreCredentials
from app.credentials import CredentialStore, KeyringStatus
from app.paths import cache_dir, config_dir, journal_dir, metadata_dir
from app.services.store_connection import StoreInfo
from app.services.store_registry import StoreRegistry
from app.services.tasks import TaskRunner
from app.ui.first_paint import after_first_paint, report_first_paint_if_asked
from app.ui.main_window import MainWindow
from app.ui.window_state import WindowStateFile


class StartupError(Exception):
    """A command-line problem to print and exit with, naming the fix."""


def credentials_from_environment(api_base: str, auth: str) -> StoreCredentials:
    """`--api-base URL --auth oauth|basic`: secrets from the environment only."""
    api_base = api_base.rstrip("/")
    if auth == "oauth":
        token = os.environ.get("PIM_ACCESS_TOKEN", "")
        if not token:
            raise StartupError("Set PIM_ACCESS_TOKEN to the store's access token "
                               "(secrets are never taken from the command line).")
        parts = api_base.split("/")
        store_hash = parts[parts.index("stores") + 1] if "stores" in parts[:-1] else "store"
        return OAuthCredentials(store_hash, token, api_base)
    username, key = os.environ.get("PIM_USERNAME", ""), os.environ.get("PIM_API_KEY", "")
    if not username or not key:
        raise StartupError("Set PIM_USERNAME and PIM_API_KEY for --auth basic "
                           "(secrets are never taken from the command line).")
    store_url = api_base[: -len("/api/v2")] if api_base.endswith("/api/v2") else api_base
    return BasicCredentials(store_url, username, key, api_base)


def check_keyring(window: MainWindow, secrets: CredentialStore) -> None:
    """Loads keyring and judges its backend on a worker once the window is up: it costs a few
    hundred ms, and a broken setting (PYTHON_KEYRING_BACKEND naming a missing or broken
    backend) must not stop the app. If no keyring is usable, the merchant is told now; a store
    connected later goes through the window's "this session only" question."""
    runner = TaskRunner("keyring-check", max_workers=1, parent=window)

    def report(status: KeyringStatus) -> None:
        runner.shutdown()
        if status.usable:
            return
        notice = f"Passwords cannot be saved on this computer. {status.message}"
        logging.getLogger(__name__).warning("%s", status.message)
        # The whole story waits on the start screen; a saved store already open gets one line
        # (the demo and a command-line store keep no secret, so there it is not news).
        window.start_screen.show_message(notice, error=True)
        if window.stack.currentWidget() is not window.start_screen \
                and window.current_store is not None:
            window.status.showMessage("Passwords can't be saved on this computer (no usable "
                                      "keyring); see Stores for what to do.", 30000)

    runner.submit("keyring-check", secrets.backend_status, on_success=report,
                  on_failure=lambda error: None)


def run_gui(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        direct = (credentials_from_environment(args.api_base, args.auth)
                  if args.api_base else None)
    except (StartupError, ValueError) as exc:
        print(f"product-image-manager: {exc}", file=sys.stderr)
        return 2

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Product Image Manager")
    app.setDesktopFileName("io.github.productimagemanager.ProductImageManager")

    config = config_dir()
    # A screenshot shows the app as it starts for anyone, not as this user left it.
    remembered = None if args.screenshot else WindowStateFile(config / "window.ini")
    secrets = CredentialStore()  # keyring is loaded on first use, on a worker
    window = MainWindow(secrets, StoreRegistry(config / "stores.json"), cache_dir(), remembered,
                        journal_dir=journal_dir(), saved_copy_dir=metadata_dir(),
                        start_offline=bool(getattr(args, "offline", False)))
    screenshot = None
    if args.screenshot:
        from app.ui.screenshot import ScreenshotWhenSettled  # brings the store page
        screenshot = ScreenshotWhenSettled(window, Path(args.screenshot))
        window.storeOpened.connect(screenshot.watch)
    report_first_paint_if_asked(window)
    window.show()
    after_first_paint(window, lambda: check_keyring(window, secrets))

    if direct is not None:
        label = direct.store_hash if isinstance(direct, OAuthCredentials) else direct.store_url
        window.open_store_when_ready(StoreInfo(label, direct), args.product)
    elif args.demo or args.screenshot:
        QTimer.singleShot(0, lambda: window.open_demo(args.product))
    else:
        window.restore_last_session()
    code = app.exec()
    window.close()  # stops the session's loaders and runners (no-op if already closed)
    window.shutdown_demo()
    return code
