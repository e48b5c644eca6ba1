import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def throttle_counts_start_empty():
    """The per-minute throttle counts in the cache; each test starts from zero."""
    cache.clear()
    yield
    cache.clear()
