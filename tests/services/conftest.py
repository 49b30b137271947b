"""Service tests that need a whole window (the quit drain) borrow the widget fixtures; the
write-queue fixtures serve every queue test module."""

from tests.services.test_write_queue import clients, make_queue  # noqa: F401 - fixtures
from tests.ui.conftest import make_window, open_store  # noqa: F401 - fixtures
