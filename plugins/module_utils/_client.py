# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SCIMClient: Slack's SCIM API (v1 and v2) on ``requests``, usable without Ansible.

Internal to scim.slack; the API may change.  Method names and signatures follow the Python
Slack SDK's ``slack_sdk.scim.SCIMClient`` (search/read/create/patch/update/delete for users
and groups), but every method returns the parsed JSON (``dict``, or ``None`` for an empty
204) and raises :class:`ScimError` on failure instead of returning an error response.

This file holds the resource methods; the requests go through ``_transport.py`` and the listings through
``_listing.py``.  Its defaults are the connection options' (``_connection_options.py``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ansible_collections.scim.slack.plugins.module_utils._connection_options import (
    DEFAULTS,
    RETRY_DEFAULTS,
    api_version_problem,
    client_problem,
)
from ansible_collections.scim.slack.plugins.module_utils._dialect import DIALECTS, empties_members
from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._listing import MAX_PAGE_SIZE, Listing
from ansible_collections.scim.slack.plugins.module_utils._transport import Transport, requests
from ansible_collections.scim.slack.plugins.module_utils._user_values import same_text

# MAX_PAGE_SIZE is the listings' (_listing.py); importers of it from here keep working.
__all__ = ("MAX_PAGE_SIZE", "SCIMClient", "default_api_url", "web_api_base_url")

DEFAULT_API_URL = "https://api.slack.com/scim/%s/"


def web_api_base_url(base_url):
    """The Slack Web API's base URL beside a SCIM base URL (api.slack.com serves SCIM, slack.com the
    Web API; any other host, such as the emulator, serves both)."""
    parts = urlsplit(base_url)
    host = parts.netloc
    if host.startswith("api.slack"):
        host = host[len("api."):]
    return "%s://%s/api/" % (parts.scheme, host)


def default_api_url(api_version):
    return DEFAULT_API_URL % api_version


class SCIMClient(Listing, Transport):
    """A client for one Slack org's SCIM API (see :class:`Transport` for ``retry_handlers``, ``max_wait`` and
    ``timeout``, and :class:`Listing` for the listings)."""

    def __init__(self, token, *, api_version=DEFAULTS["api_version"], base_url=None, timeout=DEFAULTS["timeout"],
                 validate_certs=DEFAULTS["validate_certs"], retry_handlers=None, max_wait=RETRY_DEFAULTS["max_wait"],
                 proxy=None, user_agent_suffix=None, session=None, sleep=None, clock=None, web_api_url=None):
        if requests is None:
            raise ScimError("the Python library requests is required (pip install requests)", request_sent=False)
        if not token:
            raise ScimError("a SCIM token is required", request_sent=False)
        self._refuse_unusable(base_url, api_version, timeout, max_wait)
        self.dialect = DIALECTS[api_version]
        self.api_version = api_version
        base_url = (base_url or default_api_url(api_version)).rstrip("/") + "/"
        super().__init__(
            token, base_url=base_url, timeout=timeout, validate_certs=validate_certs, retry_handlers=retry_handlers,
            max_wait=max_wait, proxy=proxy, user_agent_suffix=user_agent_suffix, session=session, sleep=sleep,
            clock=clock, web_api_base=(web_api_url.rstrip("/") + "/") if web_api_url else web_api_base_url(base_url))
        self.listing_retries = 0
        # What this client chose that the task may want to know at -vvvv (see _patch_members).
        self.notes = []
        self._removal_form = "slack"

    def _refuse_unusable(self, base_url, api_version, timeout, max_wait):
        """Check a Python caller's settings (the modules and the lookup check their options once per task, with
        ``options_problem``, and build their clients without this check)."""
        problem = api_version_problem(api_version)
        if problem:
            raise ValueError(problem)
        problem = client_problem(base_url, api_version, timeout, max_wait)
        if problem:
            raise ScimError(problem, request_sent=False)

    def __repr__(self):
        return "SCIMClient(base_url=%r, api_version=%r)" % (self.base_url, self.api_version)

    # -- users -----------------------------------------------------------------------------

    def read_user(self, id):
        return self.api_call("GET", "Users/%s" % _path_id(id), expect="resource")

    def get_user(self, id):
        """Like :meth:`read_user`, but ``None`` when Slack has no such user."""
        return self._read_or_none("Users", id)

    def create_user(self, user):
        return self.api_call("POST", "Users", body=self.dialect.user_body(_as_dict(user)), expect="resource")

    def patch_user(self, id, partial_user):
        """PATCH a user from a partial resource (``None`` removes an attribute); a ready-made
        v2 PatchOp body (with ``Operations``) is sent as given."""
        partial_user = _as_dict(partial_user)
        if "Operations" in partial_user:
            body = dict(partial_user, schemas=[self.dialect.patch_schema])
        else:
            body = self.dialect.patch_user_body(partial_user)
        return self.api_call("PATCH", "Users/%s" % _path_id(id), body=body, expect="resource_or_empty")

    def update_user(self, user):
        """PUT the whole user; the id is read from the resource, as in the seed SDK.

        Slack blanks whatever is omitted and deactivates a user sent without ``active: true``.
        """
        user = _as_dict(user)
        return self.api_call("PUT", "Users/%s" % _path_id(user.get("id")), body=self.dialect.user_body(user),
                             expect="resource")

    def delete_user(self, id):
        """DELETE deactivates: Slack users cannot be deleted."""
        return self.api_call("DELETE", "Users/%s" % _path_id(id))

    def find_user_by_user_name(self, user_name):
        return self._find_one(
            "Users", "userName", user_name, lambda user: same_text(user.get("userName"), user_name))

    def find_user_by_email(self, email):
        def matches(user):
            return any(same_text(entry.get("value"), email) for entry in user.get("emails") or [] if isinstance(entry, dict))

        return self._find_one("Users", self.dialect.email_filter_attribute, email, matches)

    # -- groups ----------------------------------------------------------------------------

    def read_group(self, id):
        return self.api_call("GET", "Groups/%s" % _path_id(id), expect="resource")

    def get_group(self, id):
        """Like :meth:`read_group`, but ``None`` when Slack has no such group."""
        return self._read_or_none("Groups", id)

    def create_group(self, group):
        return self.api_call("POST", "Groups", body=self.dialect.group_body(_as_dict(group)), expect="resource")

    def patch_group(self, id, partial_group):
        """PATCH a group from a partial resource (members with ``"operation": "delete"`` are
        removed, as in v1); a ready-made v2 PatchOp body is sent as given.  ``None`` on 204."""
        partial_group = _as_dict(partial_group)
        if "Operations" in partial_group:
            if empties_members(partial_group.get("Operations")):
                raise ScimError("refusing to send PATCH /Groups/%s: a remove of members without a value empties the "
                                "group; name the members to remove in its value" % _path_id(id), request_sent=False)
            body = dict(partial_group, schemas=[self.dialect.patch_schema])
        else:
            body = self.dialect.patch_group_from_partial(partial_group)
        return self.api_call("PATCH", "Groups/%s" % _path_id(id), body=body, expect="resource_or_empty")

    def update_group(self, group):
        """PUT the whole group (replaces the member list); the id is read from the resource."""
        group = _as_dict(group)
        return self.api_call("PUT", "Groups/%s" % _path_id(group.get("id")), body=self.dialect.group_body(group),
                             expect="resource")

    def delete_group(self, id):
        return self.api_call("DELETE", "Groups/%s" % _path_id(id))

    def update_group_members(self, id, *, add=(), remove=(), display_name=None, batch_size=5000):
        """Rename and add/remove members (user ids) with as few PATCHes as the batch size allows.

        Returns the group from the last response that carried one (v1 answers 204: ``None``).
        """
        batches = _member_batches(list(add), list(remove), batch_size)
        if not batches and display_name is not None:
            batches = [([], [])]
        result = None
        for index, (batch_add, batch_remove) in enumerate(batches):
            result = self._patch_members(id, display_name if index == 0 else None, batch_add, batch_remove) or result
        return result

    def _patch_members(self, id, display_name, add, remove):
        """One member PATCH.  Removals go in Slack's form (``remove`` on ``members`` with a value) until a server
        refuses that with HTTP 400: then, once per client, the same PATCH again with a ``members[value eq "..."]``
        path for each member (RFC 7644; Slack takes it too), the form this client keeps to if it is taken."""
        path = "Groups/%s" % _path_id(id)
        by_filter = self._removal_form == "filter"
        body = self.dialect.patch_group_body(display_name, add, remove, remove_by_filter=by_filter)
        try:
            return self.api_call("PATCH", path, body=body, expect="resource_or_empty")
        except ScimError as exc:
            if exc.status != 400 or not remove or by_filter or self._removal_form == "tried" or \
                    self.dialect.name != "v2":
                raise
            self._removal_form = "tried"
            answered = self.api_call("PATCH", path, expect="resource_or_empty", body=self.dialect.patch_group_body(
                display_name, add, remove, remove_by_filter=True))
            self._removal_form = "filter"
            self.notes.append("PATCH /%s: the server refused Slack's member removal (a remove of members with a "
                              "value) with HTTP 400 (%s); it took members[value eq \"...\"] paths, which this client "
                              "sends from now on" % (path, exc.error or exc.detail or "no error string"))
            return answered

    def find_group_by_display_name(self, display_name):
        return self._find_one(
            "Groups", "displayName", display_name, lambda group: same_text(group.get("displayName"), display_name))

    # -- other -----------------------------------------------------------------------------

    def service_provider_config(self):
        return self.api_call("GET", self.dialect.service_provider_config_path)

    def auth_test(self):
        """Slack Web API ``auth.test`` (``POST``, token in the Authorization header): whose token this is
        (``user_id``).  Not part of SCIM.  For an org-level token ``team_id`` may be an enterprise id (``E…``)."""
        answer = self.api_call("POST", self.web_api_url("auth.test")) or {}
        if answer.get("ok") is not True:
            error = answer.get("error")
            raise ScimError("auth.test failed: %s" % (error or "no answer"), method="POST",
                            path="/api/auth.test", error=error).redact(self._secrets)
        return answer

    def _read_or_none(self, resource, id):
        try:
            return self.api_call("GET", "%s/%s" % (resource, _path_id(id)), expect="resource")
        except ScimError as exc:
            if exc.is_not_found:
                return None
            raise


def _as_dict(resource):
    if hasattr(resource, "to_dict"):
        return resource.to_dict()
    return dict(resource)


def _path_id(id):
    if not id or not isinstance(id, str) or "/" in id or "?" in id or "#" in id:
        raise ScimError("invalid resource id %r" % (id,), request_sent=False)
    return id


def _member_batches(add, remove, batch_size):
    """Split member changes into (add, remove) pairs of at most ``batch_size`` members in all."""
    batches = []
    while add or remove:
        batch_add = add[:batch_size]
        batch_remove = remove[:batch_size - len(batch_add)]
        add, remove = add[len(batch_add):], remove[len(batch_remove):]
        batches.append((batch_add, batch_remove))
    return batches
