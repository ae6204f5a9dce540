"""config.cache.RedisCache: Django's Redis cache, one redis-py client kept per server."""

import os
import uuid

from config.cache import RedisCache


def test_the_cache_keeps_one_client_and_works_as_djangos():
    cache = RedisCache(os.environ["CELERY_BROKER_URL"], {"KEY_PREFIX": uuid.uuid4().hex})
    key = "jingxun-test-key"
    try:
        assert cache.add(key, {"a": 1}, 30)
        assert not cache.add(key, {"a": 2}, 30)
        assert cache.get(key) == {"a": 1}
        cache.set_many({key: [1, 2], "other": 3}, 30)
        assert cache.get_many([key, "other"]) == {key: [1, 2], "other": 3}

        assert cache._cache.get_client() is cache._cache.get_client(write=True)
    finally:
        cache.delete_many([key, "other"])
