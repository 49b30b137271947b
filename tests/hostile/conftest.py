"""Fixtures of the hostile servers. (pytest_plugins only works in the root conftest, so the
fixtures are imported here.)"""

from tests.hostile.api_fixtures import hostile_api  # noqa: F401
