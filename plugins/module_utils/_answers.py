# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a successful SCIM answer must look like before anything reads it.

Internal to scim.slack; the API may change.  ``checked_answer`` holds an answer to the shape its request
expects (a resource with an id, a list response whose items all have ids, users whose multi-valued attributes are
lists of objects); a malformed answer raises :class:`ScimError` instead of surfacing later as a user without
emails, or a listing short of a user.
"""

from __future__ import annotations

from ansible_collections.scim.slack.plugins.module_utils._errors import WRITE_METHODS, ScimError, snippet

# A user's attributes that SCIM answers as lists of objects.
MULTI_VALUED_USER_ATTRIBUTES = ("emails", "phoneNumbers", "photos", "addresses", "roles", "groups")


def checked_answer(parsed, expect, method, path):
    """``parsed`` if it has the shape ``expect`` asks for; otherwise a ScimError saying what is wrong."""
    problem = None
    users = "/Users" in path
    if expect == "list":
        resources = parsed.get("Resources", []) if isinstance(parsed, dict) else None
        if not isinstance(resources, list) or not all(isinstance(item, dict) for item in resources):
            problem = "is not a SCIM list response"
        else:
            for index, item in enumerate(resources):
                if users:
                    check_user_shape(item, method, path, "item %d" % (index + 1))
                if not isinstance(item.get("id"), str) or not item.get("id"):
                    named = ", ".join("%s %r" % (key, item[key]) for key in ("userName", "displayName", "externalId")
                                      if isinstance(item.get(key), str) and item[key])
                    raise ScimError("%s %s succeeded, but the page lists an item without an id (item %d%s): %s; "
                                    "the listing cannot be used" % (method, path, index + 1,
                                                                    ", " + named if named else "", snippet(item)),
                                    method=method, path=path)
    elif expect in ("resource", "resource_or_empty"):
        if parsed is None and expect == "resource_or_empty":
            return None
        if not isinstance(parsed, dict) or not parsed.get("id"):
            problem = "has no resource with an id"
        elif users:
            check_user_shape(parsed, method, path, "user %s" % parsed.get("id"))
    if problem:
        raise ScimError("%s %s succeeded, but the answer %s: %s" % (method, path, problem, snippet(parsed)),
                        method=method, path=path)
    return parsed


def check_user_shape(user, method, path, where):
    """A ScimError when a user answered carries a string (or anything but a list of objects) where SCIM has a list:
    nothing read from such an answer can be trusted (its emails would look empty)."""
    for attribute in MULTI_VALUED_USER_ATTRIBUTES:
        value = user.get(attribute)
        if value is None or (isinstance(value, list) and all(isinstance(entry, dict) for entry in value)):
            continue
        odd = next(entry for entry in value if not isinstance(entry, dict)) if isinstance(value, list) else value
        what = ("a list with a %s in it" if isinstance(value, list) else "a %s") % type(odd).__name__
        named = ", userName %r" % user["userName"] if isinstance(user.get("userName"), str) else ""
        after = "the write was applied, but its answer cannot be used" if method in WRITE_METHODS else \
            "nothing was changed"
        raise ScimError("%s %s succeeded, but Slack answered a malformed user (%s%s): %s is %s, not a list of "
                        "objects; %s" % (method, path, where, named, attribute, what, after), method=method, path=path)
