# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Slack's SCIM rate limits (per endpoint and org-wide) and per-resource write locks."""

import math
import threading
import time

from .schema import ScimFault

# (requests per minute, burst), from Slack's "SCIM API rate limits" page.
ORG_WRITES = ("org-writes", 600, 180)
ORG_READS = ("org-reads", 1000, 1000)
ENDPOINT_LIMITS = {
    ("GET", "Users/"): (300, 300),
    ("GET", "Groups/"): (300, 300),
    ("POST", "Users"): (180, 20),
    ("PUT", "Users/"): (180, 20),
    ("PATCH", "Users/"): (180, 20),
    ("DELETE", "Users/"): (180, 20),
    ("POST", "Groups"): (180, 20),
    ("PUT", "Groups/"): (180, 80),
    ("PATCH", "Groups/"): (180, 80),
    ("DELETE", "Groups/"): (180, 20),
}
# PUT and PATCH share one limit.
SHARED = {("PATCH", "Users/"): ("PUT", "Users/"), ("PATCH", "Groups/"): ("PUT", "Groups/")}


class _Bucket:
    def __init__(self, per_minute, burst, now):
        self.rate = per_minute / 60.0
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.stamp = now

    def wait_for_token(self, now):
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class RateLimiter:
    """Token buckets; ``scale`` multiplies every rate and burst (0 turns limiting off)."""

    def __init__(self, scale=1.0, clock=time.monotonic):
        self.scale = scale
        self.clock = clock
        self.lock = threading.Lock()
        self.buckets = {}

    def _bucket(self, key, per_minute, burst, now):
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = _Bucket(per_minute * self.scale, max(1, int(burst * self.scale)), now)
        return bucket

    def check(self, method, resource, has_id):
        """Consume a token from each limit the request counts against, or raise a 429."""
        if not self.scale:
            return
        endpoint = (method, resource + ("/" if has_id else ""))
        endpoint = SHARED.get(endpoint, endpoint)
        limits = [ORG_READS if method == "GET" else ORG_WRITES]
        if endpoint in ENDPOINT_LIMITS:
            limits.append((endpoint,) + ENDPOINT_LIMITS[endpoint])
        with self.lock:
            now = self.clock()
            buckets = [self._bucket(key, rate, burst, now) for key, rate, burst in limits]
            wait = max(bucket.wait_for_token(now) for bucket in buckets)
            if wait > 0:
                raise ScimFault(429, "too_many_requests", retry_after=max(1, math.ceil(wait)))
            for bucket in buckets:
                bucket.tokens -= 1

    def reset(self):
        with self.lock:
            self.buckets = {}


class ResourceLocks:
    """Slack locks a user or group while a write to it runs; a second write gets a 429."""

    def __init__(self):
        self.lock = threading.Lock()
        self.busy = set()

    def acquire(self, key):
        with self.lock:
            if key in self.busy:
                raise ScimFault(429, "resource_locked", retry_after=1)
            self.busy.add(key)

    def release(self, key):
        with self.lock:
            self.busy.discard(key)
