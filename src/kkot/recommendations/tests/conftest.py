import pytest
from django.core.cache import cache

from kkot.recommendations import modelset


@pytest.fixture
def recs_var(settings, tmp_path):
    """A private var dir and a clean model-set cache for one test."""
    settings.VAR_DIR = tmp_path
    modelset.reset()
    cache.clear()
    yield
    modelset.reset()
