"""Fixtures of the hostile servers: a store API and an image host that answer badly on purpose.
(pytest_plugins only works in the root conftest, so the fixtures are imported here.)"""

from tests.hostile.api_fixtures import hostile_api  # noqa: F401  (a fixture)
from tests.hostile.image_fixtures import hostile_images  # noqa: F401  (a fixture)
