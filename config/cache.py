"""Django's Redis cache, with one redis-py client per server kept instead of one made for each
operation (settings.CACHES).

Django's RedisCacheClient.get_client builds a new redis.Redis around the kept connection pool
at every get, set or add; redis-py's constructor fills a table of some 200 response callbacks
each time, which cost a signed-in request more CPU than its three cache operations' round
trips. A client is safe to share (each command borrows a connection from the pool); Django's
cache handler already makes one cache object per thread.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
