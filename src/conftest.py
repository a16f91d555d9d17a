"""Shared pytest fixtures for the whole suite (object factories live in kkot/core/testing.py)."""

import pytest


@pytest.fixture(autouse=True)
def _test_speed_and_isolation(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"  # models, indexes and files a test writes never leak into the next
    # PBKDF2 dominates factory time (every store has an owner); tests do not need its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _reseed_catalog_for_transactional_tests(request):
    """Transactional tests flush every table afterwards, seeded categories included; put them back first."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from kkot.catalog.models import AttributeDefinition, Category
    from kkot.catalog.seed import seed_catalog

    if not Category.objects.exists():
        seed_catalog(AttributeDefinition, Category)
