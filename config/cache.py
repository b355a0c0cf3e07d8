"""The shared cache (Redis), built so that losing it only makes the site slower.

Pages, rate limits and the page cache treat the cache as optional: when Redis is unreachable,
refuses, or hangs, every read is a miss and every write is dropped, so pages render from the
database instead of failing. Three things keep an outage cheap and honest:

- **Short timeouts** (``socket_connect_timeout`` and ``socket_timeout`` in settings, at most
  100 ms): a hanging Redis costs a request a tenth of a second, not a gunicorn timeout.
- **A pause after a failure**: once Redis has failed, this process leaves it alone for
  ``retry_after`` seconds, so an outage costs one slow call per process per pause, not one per
  cache call. One warning is logged per ``warn_every`` seconds while it lasts, not per request.
- **Nothing stale comes back**: a write dropped during the outage (an editor's save bumping the
  guide's content version, say) would leave Redis holding values that are now wrong. So a
  process that dropped a write empties the cache database before it uses Redis again. Every
  process that served a page during the outage dropped its page write and empties it too, and
  ``/healthz/`` probes (``ping``) make each process notice the recovery without waiting for a
  reader.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import BaseCache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import ConnectionPool
from redis.exceptions import RedisError, ResponseError
from redis.maint_notifications import MaintNotificationsConfig

logger = logging.getLogger(__name__)

# Module-level so tests can move time without waiting.
clock: Callable[[], float] = time.monotonic

# What a failed or skipped call raises or returns: an outage looks like an empty cache.
_OUTAGE = (RedisError, OSError)


class CacheUnavailable(ValueError):
    """Raised by ``incr``/``decr`` during an outage: Django's "no such key", which callers of a
    counter already handle as a miss."""


@dataclass
class Outage:
    """What this process knows about one Redis being out. Shared by every thread's cache
    object (Django makes one per thread), so the pause and the warning are per process."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    down_since: float | None = None
    retry_at: float = 0.0
    last_warning: float = -math.inf
    dropped_writes: bool = False


_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def outage_for(location: str) -> Outage:
    with _outages_lock:
        return _outages.setdefault(location, Outage())


class ReusedRedisClient(RedisCacheClient):
    """Django's client makes a new ``redis.Redis`` for every call, which costs more than the
    round trip it wraps (it copies ~170 response callbacks each time). One per connection pool
    does the same work: the client is thread-safe and its pool hands out the connections."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client


class ResilientRedisCache(RedisCache):
    """Django's Redis cache that answers misses instead of raising while Redis is out."""

    retry_after: float = 1.0
    warn_every: float = 60.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisClient
        self._outage = outage_for(",".join(self._servers))

    # -- the outage state ----------------------------------------------------------------------

    @property
    def is_down(self) -> bool:
        """True while this process is leaving Redis alone after a failure."""
        outage = self._outage
        return outage.down_since is not None and clock() < outage.retry_at

    def _run(
        self, operation: Callable[..., Any], *args: Any, write: bool, default: Any = None
    ) -> Any:
        if self.is_down:
            if write:
                self._outage.dropped_writes = True
            return default
        flushing = self._outage.dropped_writes
        try:
            if flushing:
                self._empty_after_outage()
            flushing = False
            result = operation(*args)
        except _OUTAGE as error:
            # A failed flush keeps the writes counted as dropped: the next success empties it.
            self._failed(error, write=write or flushing)
            return default
        if self._outage.down_since is not None:
            self._recovered()
        return result

    def _empty_after_outage(self) -> None:
        # Runs before any read, so no value written before the outage is served after it. The
        # flag is lowered first: a write dropped meanwhile raises it again for the next call.
        self._outage.dropped_writes = False
        RedisCache.clear(self)
        logger.warning(
            "The cache is reachable again; emptied it, since writes made while it was "
            "unreachable were dropped."
        )

    def _failed(self, error: BaseException, *, write: bool) -> None:
        now, outage = clock(), self._outage
        with outage.lock:
            outage.dropped_writes = outage.dropped_writes or write
            if outage.down_since is None:
                outage.down_since = now
            outage.retry_at = now + self.retry_after
            warn = now - outage.last_warning >= self.warn_every
            if warn:
                outage.last_warning = now
        if warn:
            logger.warning(
                "The cache is unreachable (%s: %s); serving pages without it, retrying every "
                "%g s. This warning repeats at most every %g s while the cache is out.",
                type(error).__name__,
                error,
                self.retry_after,
                self.warn_every,
            )

    def _recovered(self) -> None:
        outage = self._outage
        with outage.lock:
            down_since, outage.down_since = outage.down_since, None
        if down_since is not None:
            logger.info("The cache is back after %.1f s.", clock() - down_since)

    def get_watched(self, key, default=None):
        """``get``, answered from this process's memory for as long as Redis has not said the
        key changed (:class:`KeyWatch`): no round trip on a repeat read. Falls back to ``get``
        whenever the watch cannot vouch for the value, and while Redis is out."""
        outage = self._outage
        if outage.down_since is not None or outage.dropped_writes:
            # Out, or back with writes dropped meanwhile: get() empties the cache first.
            return self.get(key, default)
        location = self._servers[0]  # the primary, where every write lands
        full_key = self.make_key(key)
        watch = _watches.get((location, full_key))
        if watch is None:
            with _watches_lock:
                watch = _watches.setdefault(
                    (location, full_key),
                    KeyWatch(location, full_key, self._options, self._cache._serializer),
                )
        value = watch.value()
        if value is UNKNOWN:
            return self.get(key, default)
        return default if value is None else value

    def validate_key(self, key):
        """Nothing to check: Redis takes any key. (Django's default warns about keys memcached
        would refuse, looping over every character of every key, on every call.)"""

    # -- Django's cache API ------------------------------------------------------------------

    def ping(self) -> bool:
        """Whether Redis answers now (for /healthz/); no I/O while pausing after a failure."""
        return bool(self._run(self._cache.get_client(write=True).ping, write=False, default=False))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        added = self._run(super().add, key, value, timeout, version, write=True, default=False)
        self._wrote(key, version=version)
        return added

    def get(self, key, default=None, version=None):
        return self._run(super().get, key, default, version, write=False, default=default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._run(super().set, key, value, timeout, version, write=True)
        self._wrote(key, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run(super().touch, key, timeout, version, write=True, default=False)

    def delete(self, key, version=None):
        deleted = self._run(super().delete, key, version, write=True, default=False)
        self._wrote(key, version=version)
        return deleted

    def get_many(self, keys, version=None):
        return self._run(super().get_many, keys, version, write=False, default={})

    def has_key(self, key, version=None):
        return self._run(super().has_key, key, version, write=False, default=False)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._run(super().incr, key, delta, version, write=True, default=missing)
        if value is missing:
            raise CacheUnavailable(f"Key '{key}' not found: the cache is unreachable.")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        failed = self._run(super().set_many, data, timeout, version, write=True, default=list(data))
        self._wrote(*data, version=version)
        return failed

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self._run(super().delete_many, keys, version, write=True)
        self._wrote(*keys, version=version)

    def clear(self):
        cleared = self._run(super().clear, write=True, default=False)
        for watch in list(_watches.values()):
            watch.forget()
        return cleared

    def _wrote(self, *keys, version=None) -> None:
        """This process changed ``keys``: its own watches of them ask Redis again on their next
        read, rather than count on Redis's push having arrived by then."""
        if not _watches:
            return
        written = {self.make_key(key, version) for key in keys}
        for (_, key), watch in list(_watches.items()):
            if key in written:
                watch.forget()


# What KeyWatch.value() gives when it cannot vouch for the value: ask Redis as usual.
UNKNOWN = object()


class KeyWatch:
    """One cache key's value, held in this process and kept current by Redis itself.

    Redis's server-assisted client-side caching (``CLIENT TRACKING``, RESP3): the watch's own
    connection reads the key, and from then on Redis pushes an invalidation down that
    connection when any client changes, deletes, expires or evicts the key, or empties the
    database. Redis queues the push as it applies the change and sends it within
    microseconds of answering the client that made it, long before a reader could ask for a
    page because of that change; a write from this process updates its own watches at once
    (``ResilientRedisCache._wrote``). A read is then a poll of that socket (no round trip):
    nothing there, and the value held is current.

    It cannot vouch for the value (:data:`UNKNOWN`, and the caller asks Redis as usual) when
    it has no connection, after any error (it then waits ``retry_after`` seconds before
    connecting again) and against a server without tracking; a forked child opens its own
    connection. It reads the key again every ``confirm_every`` seconds whatever it has
    heard, so a push lost on the way, or a link that died silently (no reset ever arrives),
    leaves a changed value unseen for at most that long.
    """

    retry_after = 1.0
    confirm_every = 1.0

    def __init__(self, location: str, key: str, options: dict, serializer) -> None:
        self.location = location
        self.key = key
        self._serializer = serializer  # the cache's own, so a value reads as get() reads it
        # The cache's own connection options (timeouts, credentials, TLS), less Django's.
        django_only = {"pool_class", "parser_class", "serializer"}
        self._pool_options = {k: v for k, v in options.items() if k not in django_only}
        self._lock = threading.Lock()
        self._connection = None
        self._pid: int | None = None
        self._value: Any = UNKNOWN
        self._known_at = -math.inf
        self._retry_at = -math.inf
        self._unsupported = False

    def forget(self) -> None:
        """Ask Redis on the next read."""
        with self._lock:
            self._value = UNKNOWN

    def value(self) -> Any:
        """The key's value (``None`` if it has none), or :data:`UNKNOWN`."""
        with self._lock:
            try:
                return self._read()
            except _OUTAGE:
                self._close()
                self._retry_at = clock() + self.retry_after
                return UNKNOWN

    def _read(self) -> Any:
        now = clock()
        connection = self._connection
        if connection is None or self._pid != os.getpid():
            if self._unsupported or now < self._retry_at:
                return UNKNOWN
            connection = self._connect()
        elif connection.can_read(0):
            # Redis pushed an invalidation (or closed the link, which raises here).
            while connection.can_read(0):
                connection.read_response(push_request=True)
            self._value = UNKNOWN
        if self._value is UNKNOWN or now - self._known_at >= self.confirm_every:
            # Reading the key on this connection is what makes Redis track it (again).
            connection.send_command("GET", self.key)
            raw = connection.read_response(disable_decoding=True)
            self._value = None if raw is None else self._serializer.loads(raw)
            self._known_at = now
        return self._value

    def _connect(self):
        self._close()
        pool = ConnectionPool.from_url(
            self.location,
            **self._pool_options,
            protocol=3,
            # A connection that only watches: no maintenance-notification handshake.
            maint_notifications_config=MaintNotificationsConfig(enabled=False),
        )
        connection = pool.make_connection()
        try:
            connection.connect()
            connection.send_command("CLIENT", "TRACKING", "ON")
            connection.read_response()
        except ResponseError:  # a server without RESP3 or tracking: never ask it again
            self._unsupported = True
            connection.disconnect()
            raise
        self._connection, self._pid = connection, os.getpid()
        self._value = UNKNOWN
        return connection

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        self._value = UNKNOWN
        if connection is not None and self._pid == os.getpid():
            connection.disconnect()


_watches: dict[tuple[str, str], KeyWatch] = {}
_watches_lock = threading.Lock()


def cache_status(cache: BaseCache) -> str:
    """ "ok" or "down", for /healthz/. A cache without ``ping`` (local memory) is always up."""
    ping = getattr(cache, "ping", None)
    if ping is None:
        return "ok"
    return "ok" if ping() else "down"
