"""A short-lived cache of the live figures of a page, per period and scope, that any write to the
scope invalidates: fifty officers opening the same landing page within a minute compute it once.

Each scope has a data version in the cache: "national" (bumped by every write), each 2025
province (bumped by a write to one of its records) and "every" (bumped by a write whose province
is not known without a query, and by bulk writes: it invalidates every province). The versions
are part of the keys of the cached figures, so a write never serves stale figures to a page of
its scope, and a write in one province leaves the other provinces' figures cached. Figures
expire after REPORT_CACHE_SECONDS (60; 0 turns the cache off) in any case.
Requests for the same figures at once compute them once: the others wait for them
(`_computed_once`).

The cache must be shared by every worker process (the default is a file cache on the host; with
several hosts, set CACHE_URL to memcached or Redis): a process-local cache would not see the
versions another process bumped."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

NATIONAL = "national"
EVERY = "every"
DEFAULT_SECONDS = 60
# A computation's lock outlives its longest page (a killed worker's lock expires by itself); a
# request waits for another's figures at most WAIT_SECONDS, re-reading every POLL_SECONDS.
LOCK_SECONDS = 30
WAIT_SECONDS = 10
POLL_SECONDS = 0.05


def _prefix():
    # Every database has its own figures, whoever else shares the cache.
    database = settings.DATABASES["default"]
    name = f"{database.get('HOST', '')}:{database.get('PORT', '')}/{database['NAME']}"
    return "reports-live:" + hashlib.sha256(name.encode()).hexdigest()[:12]


def _version_key(name):
    return f"{_prefix()}:v:{name}"


def _versions(names):
    keys = [_version_key(name) for name in names]
    found = cache.get_many(keys)
    values = []
    for key in keys:
        value = found.get(key)
        if value is None:
            # A version never seen (or evicted) starts from the clock: never an old value.
            cache.add(key, time.time_ns(), None)
            value = cache.get(key)
        values.append(value)
    return values


def bump(province_id=None):
    """A write: to one 2025 province (its id), or to a province not known (None: all)."""
    for name in (NATIONAL, EVERY if province_id is None else province_id):
        key = _version_key(name)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, time.time_ns(), None)


def seconds():
    return getattr(settings, "REPORT_CACHE_SECONDS", DEFAULT_SECONDS)


def cached(parts, *, province_id, compute):
    """`compute()` for the live figures described by `parts` (a tuple of plain values: what,
    period, scope) of a 2025 province (its id) or the whole country (None), from the cache
    while no write to that scope happened and for at most REPORT_CACHE_SECONDS."""
    ttl = seconds()
    if not ttl:
        return compute()
    names = [NATIONAL] if province_id is None else [province_id, EVERY]
    versions = _versions(names)
    digest = hashlib.sha256(repr((parts, names, versions)).encode()).hexdigest()
    key = f"{_prefix()}:f:{digest}"
    return _computed_once(key, ttl, compute)


def _computed_once(key, ttl, compute):
    """The cached value of `key`, or `compute()` stored under it, computed by one request at a
    time: fifty users opening the same page that is not yet cached would otherwise all compute
    it at once (the national page takes over a second of a core). The first takes a short lock
    (`cache.add`, which memcached and Redis do atomically; the file cache checks then writes,
    so two may rarely both compute); the others re-read the cache until its figures appear.
    The wait is bounded: after WAIT_SECONDS, or when the lock is gone without figures (the
    computation failed), a request computes the page itself."""
    lock = f"{key}:computing"
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        found = cache.get(key)
        if found is not None:
            return found
        if cache.add(lock, True, LOCK_SECONDS):
            try:
                found = compute()
                cache.set(key, found, ttl)
            finally:
                cache.delete(lock)
            return found
        if time.monotonic() >= deadline:
            found = compute()
            cache.set(key, found, ttl)
            return found
        time.sleep(POLL_SECONDS)


def province_of(instance):
    """The 2025 province of a written record when known without a query, else None."""
    if hasattr(instance, "person") and hasattr(instance, "province_id"):
        return instance.province_id  # a participant record
    field = instance._meta.get_field("participant") if hasattr(instance, "participant_id") else None
    if field is not None and field.is_cached(instance):
        return instance.participant.province_id
    return None


def on_write(sender, instance, raw=False, **kwargs):
    """Bumped at once, and again when the transaction commits: a page computed in between (from
    the data before the commit) is cached under the first bump only, so the second one drops it."""
    if raw:
        return
    province_id = province_of(instance)
    bump(province_id)
    transaction.on_commit(lambda: bump(province_id))
