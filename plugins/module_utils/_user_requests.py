# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The request bodies that bring a user to its UserSpec: create (POST), PATCH and replace (PUT), and the
resource a PATCH leaves (for check mode).

Internal to scim.slack; the API may change.  No Ansible imports.  The bodies are SCIM resources with the
dialect's URNs; the dialect wraps them (schemas, PatchOp) when it sends them.
"""

from __future__ import annotations

import copy

from ansible_collections.scim.slack.plugins.module_utils._user_attributes import BY_OPTION, LISTS, is_value_list
from ansible_collections.scim.slack.plugins.module_utils._user_values import (
    GUEST_TYPE,
    expiration_to_send,
    is_blank,
    is_default_photo,
    is_guest,
    normalise_user_name,
    resolve_path,
    same_text,
    set_path,
)

# Server-side attributes a PUT must not send back.
READ_ONLY = ("meta", "groups", "schemas")
# The attributes every body names first, whatever was declared.
IDENTITY = ("user_name", "email", "emails")


def patch_body(spec, resource, changed):
    """The partial resource that brings ``resource`` to the desired state of ``spec``."""
    partial = {}
    for option in changed:
        if option.startswith("extra_attributes."):
            key = option.split(".", 1)[1]
            partial[key] = copy.deepcopy(spec.extra[key])
            continue
        attribute = BY_OPTION[option]
        if attribute.kind == "email":
            others = [dict(e, primary=False) for e in (resource or {}).get("emails") or []
                      if e.get("value") and not same_text(e["value"], spec.email) and not e.get("primary")]
            partial["emails"] = [{"value": spec.email, "primary": True}] + [
                {"value": e["value"], "primary": False} for e in others][:1]
        elif attribute.kind == "list":
            partial[attribute.path[0]] = copy.deepcopy(spec.list_values[option])
        elif attribute.kind == "guest":
            partial[spec.dialect.guest_urn] = _guest_extension(spec, resource)
        elif attribute.clear_path and is_blank(spec.desired[option]):
            set_path(partial, resolve_path(attribute.clear_path, spec.dialect), None)
        else:
            value = spec.desired[option]
            set_path(partial, resolve_path(attribute.path, spec.dialect), None if is_blank(value) else value)
    return partial


def _guest_extension(spec, resource):
    """The guest extension to send: None makes a full member; otherwise type and expiration."""
    if spec.desired.get("guest") is False:
        return None
    extension = {"type": GUEST_TYPE}
    if "guest_expiration" in spec.desired:
        extension["expiration"] = expiration_to_send(spec.desired["guest_expiration"])
    elif resource is not None and is_guest(resource, spec.dialect):
        current = resource[spec.dialect.guest_urn].get("expiration")
        if not is_blank(current):
            extension["expiration"] = current
    return extension


def create_body(spec):
    """The user to POST."""
    body = {"userName": spec.user_name, "emails": _emails_to_send(spec, None), "active": True}
    _merge(body, patch_body(spec, None, [o for o in spec.desired if o not in IDENTITY]))
    _drop_nones(body)
    for attribute in (BY_OPTION["profile_url"], BY_OPTION["external_id"]):  # sent at creation only
        if spec.params.get(attribute.option):
            body[attribute.path[0]] = spec.params[attribute.option]
    for key, value in spec.extra.items():
        body[key] = copy.deepcopy(value)
    return body


def _emails_to_send(spec, resource):
    if resource is not None and not (spec.manages("email") and spec.manages("emails")):
        return copy.deepcopy(resource.get("emails") or [])
    if "emails" in spec.list_values:
        return copy.deepcopy(spec.list_values["emails"])
    if spec.email:
        return [{"value": spec.email, "primary": True}]
    return copy.deepcopy((resource or {}).get("emails") or [])


def put_body(spec, resource):
    """replace: the full declared resource.

    Slack blanks whatever a PUT omits, so the body starts from the current user: what the
    collection does not model (the guest extension, externalId, profileUrl, an undeclared
    photo) is carried as it is, and only the modelled attributes take their declared values.
    """
    body = {key: copy.deepcopy(value) for key, value in resource.items() if key not in READ_ONLY}
    user_name = spec.user_name if spec.manages("user_name") else None
    body.update({"id": resource["id"], "userName": user_name or resource.get("userName"),
                 "emails": _emails_to_send(spec, resource)})
    body["nickName"] = body["userName"]
    body["active"] = spec.desired.get("active", bool(resource.get("active")))
    partial = patch_body(spec, resource, [o for o in spec.desired if o not in IDENTITY and spec.manages(o)])
    _merge(body, partial, remove_nones=True)
    for attribute in LISTS:  # v2 placeholders and Slack's default photo are not sent back
        option, key = attribute.option, attribute.path[0]
        if is_value_list(attribute) and key in body and option not in spec.list_values:
            body[key] = [item for item in body[key] or [] if isinstance(item, dict)
                         and not is_blank(item.get("value"))
                         and not (option == "photos" and is_default_photo(item["value"]))]
    _drop_nones(body)
    if spec.manages("extra_attributes"):
        for key, value in spec.extra.items():
            body[key] = copy.deepcopy(value)
    return body


def predict(resource, partial):
    """The resource after a PATCH with ``partial``, for check mode."""
    result = copy.deepcopy(resource)
    _merge(result, partial, remove_nones=True)
    if partial.get("userName"):
        result["userName"] = result["nickName"] = normalise_user_name(partial["userName"])
    return result


def _merge(target, partial, remove_nones=False):
    for key, value in partial.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value, remove_nones)
        elif value is None and remove_nones:
            target.pop(key, None)
        else:
            target[key] = copy.deepcopy(value)


def _drop_nones(body):
    for key in list(body):
        if isinstance(body[key], dict):
            _drop_nones(body[key])
            if not body[key]:
                del body[key]
        elif body[key] is None:
            del body[key]
