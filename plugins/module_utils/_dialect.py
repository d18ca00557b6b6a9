# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Slack's two SCIM dialects: the only place that knows how v1 and v2 differ.

Internal to scim.slack; the API may change.  Callers state intent (set these attributes,
remove those, add or remove members, activate); a dialect turns it into a request body.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit


class Dialect:
    name = None
    user_schema = None
    group_schema = None
    enterprise_urn = None
    profile_urn = None
    guest_urn = None
    service_provider_config_path = None
    # Filter attribute for a user's email; both spellings are seen on Slack, the client falls
    # back to a scan when the server rejects the filter.
    email_filter_attribute = "email"

    @property
    def extension_urns(self):
        return (self.enterprise_urn, self.profile_urn, self.guest_urn)

    def _schemas_for(self, resource, core):
        schemas = [core]
        schemas.extend(urn for urn in self.extension_urns if urn in resource)
        return schemas

    def user_body(self, user):
        """A full user resource for POST or PUT, with the schemas its keys need."""
        body = {key: value for key, value in user.items() if key not in ("schemas", "meta", "groups")}
        body["schemas"] = self._schemas_for(body, self.user_schema)
        return body

    def group_body(self, group):
        body = {key: value for key, value in group.items() if key not in ("schemas", "meta")}
        body["schemas"] = [self.group_schema]
        return body

    @staticmethod
    def quote(value):
        """A filter literal: a JSON string, as Slack requires."""
        return json.dumps(value)

    def eq_filter(self, attribute, value):
        return "%s eq %s" % (attribute, self.quote(value))

    def patch_user_body(self, partial_user):
        """PATCH body from a partial user; ``None`` values (at any depth) remove the attribute."""
        raise NotImplementedError()

    def patch_group_body(self, display_name=None, add=(), remove=(), remove_by_filter=False):
        """PATCH body that renames a group and adds/removes members given as user ids; ``remove_by_filter``
        selects each member to remove by a filter in the path (RFC 7644), where the dialect has a choice."""
        raise NotImplementedError()

    def patch_group_from_partial(self, partial_group):
        """PATCH body from a partial group resource, as the seed SDK's ``patch_group`` takes it."""
        raise NotImplementedError()


def _split_removals(partial, prefix="", separator="."):
    """Split a partial resource into (values to set, attribute paths to remove)."""
    values = {}
    removals = []
    for key, value in partial.items():
        path = prefix + key if not prefix else prefix + separator + key
        if value is None:
            removals.append(path)
        elif isinstance(value, dict) and value and any(v is None for v in value.values()):
            sub_sep = ":" if key.startswith("urn:") and separator == ":" else "."
            sub_values, sub_removals = _split_removals(value, path, sub_sep)
            if sub_values:
                values[key] = sub_values
            removals.extend(sub_removals)
        else:
            values[key] = value
    return values, removals


class V1Dialect(Dialect):
    """Slack's SCIM 1.1: core 1.0 URN, partial-resource PATCH, ``operation: delete``."""

    name = "v1"
    user_schema = "urn:scim:schemas:core:1.0"
    group_schema = "urn:scim:schemas:core:1.0"
    enterprise_urn = "urn:scim:schemas:extension:enterprise:1.0"
    profile_urn = "urn:scim:schemas:extension:slack:profile:1.0"
    guest_urn = "urn:scim:schemas:extension:slack:guest:1.0"
    service_provider_config_path = "ServiceProviderConfigs"
    email_filter_attribute = "email"

    def patch_user_body(self, partial_user):
        values, removals = _split_removals(
            {k: v for k, v in partial_user.items() if k not in ("schemas", "id", "meta")})
        # SCIM 1.1 adds to multi-valued attributes; naming one under meta.attributes first
        # makes the list that follows replace it.
        removals.extend(key for key, value in values.items() if isinstance(value, list))
        body = dict(values)
        body["schemas"] = self._schemas_for(partial_user, self.user_schema)
        if removals:
            body["meta"] = {"attributes": removals}
        return body

    def patch_group_body(self, display_name=None, add=(), remove=(), remove_by_filter=False):
        body = {"schemas": [self.group_schema]}
        if display_name is not None:
            body["displayName"] = display_name
        members = [{"value": user_id} for user_id in add]
        members.extend({"value": user_id, "operation": "delete"} for user_id in remove)
        if members:
            body["members"] = members
        return body

    def patch_group_from_partial(self, partial_group):
        body = {k: v for k, v in partial_group.items() if k not in ("schemas", "id", "meta")}
        body["schemas"] = [self.group_schema]
        return body


class V2Dialect(Dialect):
    """SCIM 2.0 (RFC 7643/7644): URN schemas and PatchOp ``Operations``."""

    name = "v2"
    user_schema = "urn:ietf:params:scim:schemas:core:2.0:User"
    group_schema = "urn:ietf:params:scim:schemas:core:2.0:Group"
    enterprise_urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    profile_urn = "urn:ietf:params:scim:schemas:extension:slack:profile:2.0:User"
    guest_urn = "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User"
    patch_schema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    service_provider_config_path = "ServiceProviderConfig"
    email_filter_attribute = "emails"

    def _patch(self, operations):
        return {"schemas": [self.patch_schema], "Operations": operations}

    def patch_user_body(self, partial_user):
        values, removals = _split_removals(
            {k: v for k, v in partial_user.items() if k not in ("schemas", "id", "meta")}, separator=":")
        operations = [{"op": "replace", "path": key, "value": value} for key, value in values.items()]
        operations.extend({"op": "remove", "path": path} for path in removals)
        return self._patch(operations)

    def patch_group_body(self, display_name=None, add=(), remove=(), remove_by_filter=False):
        operations = []
        if display_name is not None:
            operations.append({"op": "replace", "path": "displayName", "value": display_name})
        add = [user_id for user_id in add if user_id]
        remove = [user_id for user_id in remove if user_id]
        if add:
            operations.append({"op": "add", "path": "members", "value": [{"value": user_id} for user_id in add]})
        if remove and remove_by_filter:
            # RFC 7644 3.5.2.2: a filter in the path selects the member; what a strict server takes.
            operations.extend({"op": "remove", "path": 'members[value eq "%s"]' % user_id} for user_id in remove)
        elif remove:
            # The form Slack's own live tests use.  A remove on "members" without a value would
            # empty the group, so no removal means no remove operation at all.
            operations.append({"op": "remove", "path": "members", "value": [{"value": user_id} for user_id in remove]})
        return self._patch(operations)

    def patch_group_from_partial(self, partial_group):
        add = [m["value"] for m in partial_group.get("members") or [] if m.get("operation") != "delete"]
        remove = [m["value"] for m in partial_group.get("members") or [] if m.get("operation") == "delete"]
        return self.patch_group_body(partial_group.get("displayName"), add, remove)


DIALECTS = {"v1": V1Dialect(), "v2": V2Dialect()}

_URL_DIALECT = re.compile(r"/scim/(v[12])/?$", re.I)


def url_dialect(api_url):
    """The dialect an ``api_url`` names by its path (``".../scim/v1/"`` -> ``"v1"``), else ``None``.

    Only a path ending in ``/scim/v1`` or ``/scim/v2`` (with or without the slash) names a dialect;
    any other URL (a proxy, a gateway) is taken as given.
    """
    if not isinstance(api_url, str) or not api_url:
        return None
    match = _URL_DIALECT.search(urlsplit(api_url.strip()).path)
    return match.group(1).lower() if match else None


def dialect_mismatch(api_url, api_version):
    """A message when ``api_version`` contradicts the dialect ``api_url`` ends in, else ``None``."""
    named = url_dialect(api_url)
    if named is None or api_version not in DIALECTS or named == api_version:
        return None
    return ("api_version is %s but api_url %s ends in /scim/%s/: set api_version to %s, or point api_url at "
            "/scim/%s/ (Slack refuses a %s body on a %s URL with missing_schema_element)"
            % (api_version, api_url, named, named, api_version, api_version, named))


def empties_members(operations):
    """True when a PatchOp ``Operations`` list holds a ``remove`` of ``members`` without a value,
    which SCIM 2.0 (and Slack) reads as "remove every member"."""
    for operation in operations or []:
        if not isinstance(operation, dict):
            continue
        if str(operation.get("op", "")).lower() == "remove" and \
                str(operation.get("path", "")).strip().lower() == "members" and not operation.get("value"):
            return True
    return False


def get_dialect(api_version):
    """The dialect of an ``api_version`` already checked (the argument spec's choices, the lookup's, or
    ``SCIMClient``'s own check for a Python caller)."""
    return DIALECTS[api_version]
