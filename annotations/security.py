"""Brute-force protection: who a client is (its address), and a count of the wrong API tokens
each address sends. Login forms are guarded by django-axes (settings.AXES_*), by the same address."""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

log = logging.getLogger(__name__)


def client_address(request) -> str:
    """The client's IP address: REMOTE_ADDR, or behind NUM_PROXIES proxies the address the
    outermost one saw (an X-Forwarded-For the client wrote itself is not believed)."""
    return BaseThrottle().get_ident(request)


def _window() -> tuple[int, int]:
    """(wrong tokens allowed, per this many seconds) from API_FAILED_TOKEN_RATE, written as
    DRF's rates are ("20/hour")."""
    count, period = settings.API_FAILED_TOKEN_RATE.split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def _keys(request) -> tuple[str, str]:
    address = client_address(request)
    return f"newsdesk:bad-token:{address}", f"newsdesk:bad-token-since:{address}"


def failed_tokens_wait(request) -> float | None:
    """Seconds until this address may send tokens again, or None when it may now. With the
    cache down everyone may (and a warning is logged): a broken cache must not lock out every
    client, and each token is still checked."""
    limit, period = _window()
    count_key, since_key = _keys(request)
    try:
        found = cache.get_many([count_key, since_key])
    except Exception:
        log.warning("failed-token counter unavailable (cache error); not limiting", exc_info=True)
        return None
    if found.get(count_key, 0) < limit:
        return None
    return max(found.get(since_key, time.time()) + period - time.time(), 1)


def failed_token_record(request) -> None:
    """Count one wrong token from this address, in a window that starts with the first."""
    _, period = _window()
    count_key, since_key = _keys(request)
    try:
        if cache.add(since_key, time.time(), timeout=period):
            cache.set(count_key, 1, timeout=period)
            return
        try:
            cache.incr(count_key)
        except ValueError:  # the count expired a moment before the window's start did
            cache.set(count_key, 1, timeout=period)
    except Exception:
        log.warning("failed-token counter unavailable (cache error); not counting", exc_info=True)
