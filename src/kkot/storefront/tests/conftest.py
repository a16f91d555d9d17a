import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 dominates factory time (every store has an owner); tests do not need its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Page fragments live in the (process-wide) cache; ids repeat between tests, so start each test empty.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
