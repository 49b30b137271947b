"""Fixtures of the hostile suite: the image host here (the API side registers its own)."""

from tests.hostile.image_fixtures import hostile_images  # noqa: F401  (a fixture)
