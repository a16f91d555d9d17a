import pytest

from kkot.search.index import ENGINE


@pytest.fixture(autouse=True)
def search_env(settings, tmp_path):
    """Each test gets its own index directory and an engine that checks the DB on every search."""
    settings.KKOT_SEARCH_DIR = str(tmp_path / "search")
    settings.KKOT_SEARCH_SYNC_SECONDS = 0
    ENGINE.reset()
    yield
    ENGINE.reset()
