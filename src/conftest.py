"""Shared pytest fixtures for the whole suite (object factories live in kkot/core/testing.py)."""

import pytest


@pytest.fixture(autouse=True)
def _test_speed_and_isolation(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # PBKDF2 dominates factory time (every store has an owner); tests do not need its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
