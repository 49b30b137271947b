"""Service tests that need a whole window (the quit drain) borrow the widget fixtures."""

from tests.ui.conftest import make_window, open_store  # noqa: F401 - fixtures
