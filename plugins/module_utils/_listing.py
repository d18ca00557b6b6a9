# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Listing users and groups: pages, complete or refused, and the finders built on them.

Internal to scim.slack; the API may change.  :class:`Listing` is a part of ``SCIMClient``: it pages with the
client's ``api_call`` and ``dialect``, yields each item once, lists again once when a listing disagrees with its
``totalResults``, and raises :class:`IncompleteListingError` when it still does.
"""

from __future__ import annotations

import math

from ansible_collections.scim.slack.plugins.module_utils._errors import IncompleteListingError, ScimError
from ansible_collections.scim.slack.plugins.module_utils._user_values import same_text

MAX_PAGE_SIZE = 1000
# A broken server that keeps answering full pages must not make a client loop forever.
ABSOLUTE_MAX_PAGES = 100000


class Listing:
    """Search, page and find; the client that has it provides ``api_call``, ``dialect`` and the counter
    ``listing_retries`` (lists made again)."""

    def _search(self, resource, filter, start_index, count):
        params = {"startIndex": int(start_index), "count": min(int(count), MAX_PAGE_SIZE)}
        if filter:
            params["filter"] = filter
        return self.api_call("GET", resource, query_params=params, expect="list")

    def search_users(self, *, filter=None, start_index=1, count=MAX_PAGE_SIZE):
        """GET /Users: one page of users, as the list response."""
        return self._search("Users", filter, start_index, count)

    def search_groups(self, *, filter=None, start_index=1, count=MAX_PAGE_SIZE):
        """GET /Groups: one page of groups, as the list response."""
        return self._search("Groups", filter, start_index, count)

    def pages(self, resource, *, filter=None, count=MAX_PAGE_SIZE):
        """Every list page of ``resource`` ("Users" or "Groups"), each item once.

        Advances ``startIndex`` by the items received (the server may send fewer than asked) and
        stops at an empty page, at a page short of what was asked once ``totalResults`` is reached, or at
        a page that brings no new id (a server that ignores ``startIndex`` repeats a page: that is never
        progress).  A full page always asks for the next one, whatever ``totalResults`` says.  A listing
        whose distinct items disagree with its ``totalResults``, fewer or more, is listed again once,
        yielding only items not yet yielded; if it still disagrees, :class:`IncompleteListingError` is
        raised, since a directory with users missing would make them look absent (and a total that is too
        small may hide what a short listing would).  A caller that stops early (``limit``) stops the
        listing: that is not a short listing.
        """
        yielded = set()
        received = total = None
        for listing in range(2):
            if listing:
                self.listing_retries += 1
            ids = set()
            total = None
            for number, page in enumerate(self._listing(resource, filter, count, ids)):
                resources = page.get("Resources") or []
                page_total = page.get("totalResults")
                if isinstance(page_total, int) and not isinstance(page_total, bool):
                    total = page_total if total is None else max(total, page_total)
                fresh = [item for item in resources if item["id"] not in yielded]
                yielded.update(item["id"] for item in fresh)
                new_ids = {item["id"] for item in resources} - ids
                ids.update(new_ids)
                if fresh or (listing == 0 and number == 0):
                    yield dict(page, Resources=fresh)
                if not new_ids:
                    break
            received = len(ids)
            if total is None or received == total:
                return
        raise _incomplete(resource, filter, received, total, "also when listed again")

    def _listing(self, resource, filter, count, ids):
        """One pass over the pages; the caller decides when the listing has ended (``ids``: the distinct
        items it has received).  A full page asks for the next one even past ``totalResults``: a total
        that is too small is a listing to distrust, not the end of it."""
        start_index = 1
        asked = min(int(count), MAX_PAGE_SIZE)
        max_pages = ABSOLUTE_MAX_PAGES
        pages = 0
        while True:
            page = self._search(resource, filter, start_index, count)
            pages += 1
            resources = page.get("Resources") or []
            yield page
            if not resources:
                return
            total = page.get("totalResults")
            start_index += len(resources)
            if isinstance(total, int) and not isinstance(total, bool):
                if start_index > total and len(resources) < asked:
                    return
                if pages == 1:
                    max_pages = min(ABSOLUTE_MAX_PAGES, math.ceil(total / len(resources)) + 2)
            if pages >= max_pages:
                if isinstance(total, int) and len(ids) > total:
                    raise _incomplete(resource, filter, len(ids), total, "and the pages went on")
                raise ScimError(
                    "GET /%s paging did not end after %d pages (totalResults %r); the server keeps "
                    "returning pages past the end" % (resource, pages, total), method="GET", path="/" + resource)

    def _iterate(self, resource, filter, count, limit):
        seen = 0
        for page in self.pages(resource, filter=filter, count=count):
            for item in page.get("Resources") or []:
                seen += 1
                yield item
                if limit is not None and seen >= limit:
                    return

    def iter_users(self, *, filter=None, count=MAX_PAGE_SIZE, limit=None):
        """Every user matching ``filter``, paging ``count`` at a time, each once."""
        return self._iterate("Users", filter, count, limit)

    def iter_groups(self, *, filter=None, count=MAX_PAGE_SIZE, limit=None):
        """Every group matching ``filter``, paging ``count`` at a time, each once."""
        return self._iterate("Groups", filter, count, limit)

    def find_users(self, predicate, *, filter=None, limit=None):
        """The users for which ``predicate(user)`` is true, filtered on the client from a listing
        (narrowed by a documented server ``filter`` when given), at most ``limit`` of them."""
        found = []
        for user in self._iterate("Users", filter, MAX_PAGE_SIZE, None):
            if predicate(user):
                found.append(user)
                if limit is not None and len(found) >= limit:
                    break
        return found

    def users_with_display_name(self, display_name, *, limit=None):
        """Users whose ``displayName`` equals ``display_name`` (case-insensitive), found on the client:
        Slack documents no ``displayName`` filter for users, so none is sent."""
        return self.find_users(lambda user: same_text(user.get("displayName"), display_name), limit=limit)

    def _find_one(self, resource, attribute, value, matches):
        """The one resource whose ``attribute`` equals ``value`` (case-insensitive), or ``None``.

        Uses a server-side filter and re-checks every hit; if the server rejects the filter
        (HTTP 400), scans all pages instead.
        """
        try:
            candidates = list(self._iterate(resource, self.dialect.eq_filter(attribute, value), MAX_PAGE_SIZE, None))
        except ScimError as exc:
            if exc.status != 400:
                raise
            candidates = list(self._iterate(resource, None, MAX_PAGE_SIZE, None))
        found = [item for item in candidates if matches(item)]
        if len(found) > 1:
            raise ScimError(
                "%d %s match %s %r: %s; use the id instead" % (
                    len(found), resource.lower(), attribute, value, ", ".join(str(item.get("id")) for item in found)),
                method="GET", path="/" + resource, request_sent=True)
        return found[0] if found else None


def _incomplete(resource, filter, received, total, when):
    """The IncompleteListingError of a listing whose distinct items disagree with its ``totalResults``."""
    noun = resource.lower()
    where = "GET /%s%s" % (resource, " (filter %s)" % filter if filter else "")
    if received < total:
        what = "%d of %d %s received (totalResults %d), %s; the server skipped items or ignored startIndex" % (
            received, total, noun, total, when)
    else:
        what = "%d %s received, more than its totalResults %d, %s; the server miscounts or pages past its end" % (
            received, noun, total, when)
    return IncompleteListingError(
        "%s: the listing was incomplete: %s, so the result cannot be trusted. Run again; if it persists, check that "
        "api_url reaches Slack directly (a proxy that drops query parameters or rewrites answers breaks paging)"
        % (where, what), resource=resource, received=received, total=total, path="/" + resource)
