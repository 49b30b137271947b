"""Shared pytest set-up. Fixture modules live in tests/support/ and are registered here."""

import os

# Qt aborts without a display; every widget test runs offscreen (screenshots use Xvfb instead).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins: list[str] = [
    "tests.support.emulator_fixtures",
    "tests.support.secret_service",
    "tests.support.gui_thread_guard",
]
