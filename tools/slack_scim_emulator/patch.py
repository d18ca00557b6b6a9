# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Applying PATCH bodies: SCIM 1.1 partial resources (v1) and RFC 7644 PatchOp (v2).

Both work on the canonical record of schema.py.  Group PATCHes are turned into intents
(rename, add, remove, replace members) for the store to apply with its membership rules.
"""

import copy
import re

from .filters import FilterError, parse_filter
from .schema import (ADDRESS_FIELDS, COMPLEX, DIALECTS, EXTENSIONS, MULTI_VALUED, SLOTTED, ScimFault,
                     canonical_key, slotted_value, stored_address)

_FILTERED = re.compile(r"^([^\[]+)\[(.*)\](?:\.(\w+))?$")


def _bad(error="invalid_request_payload"):
    return ScimFault(400, error)


def _split_path(path):
    """(segments, filter predicate or None, sub-attribute or None) for a v2 PATCH path."""
    path = path.strip()
    predicate = sub = None
    match = _FILTERED.match(path)
    if match:
        path, expression, sub = match.groups()
        try:
            predicate = parse_filter(expression)
        except FilterError:
            raise _bad("invalid_filter_group")
    if path.lower().startswith("urn:"):
        extension, rest = _extension_path(path)
        return [extension] + [part for part in re.split(r"[.:]", rest) if part], predicate, sub
    parts = path.split(".")
    head = canonical_key(parts[0])
    if head is None:
        raise _bad("invalid_attribute_format")
    return [head] + parts[1:], predicate, sub


def _merge_item(items, item, attribute):
    """Add one value to a multi-valued attribute, updating an entry with the same value."""
    item = copy.deepcopy(item) if isinstance(item, dict) else {"value": item}
    for existing in items:
        if isinstance(existing, dict) and item.get("value") is not None and \
                str(existing.get("value", "")).lower() == str(item.get("value")).lower():
            existing.update(item)
            break
    else:
        items.append(item)
    if attribute == "emails" and item.get("primary"):
        for existing in items:
            if existing is not item and str(existing.get("value", "")).lower() != str(item.get("value")).lower():
                existing["primary"] = False


def _set_nested(record, segments, value, merge):
    target = record
    for segment in segments[:-1]:
        if not isinstance(target.get(segment), dict):
            target[segment] = {}
        target = target[segment]
    key = segments[-1]
    if merge and isinstance(value, dict) and isinstance(target.get(key), dict):
        for sub_key, sub_value in value.items():
            if isinstance(sub_value, dict) and isinstance(target[key].get(sub_key), dict):
                target[key][sub_key].update(sub_value)
            else:
                target[key][sub_key] = copy.deepcopy(sub_value)
    else:
        target[key] = copy.deepcopy(value)


def _remove_nested(record, segments):
    target = record
    for segment in segments[:-1]:
        target = target.get(segment)
        if not isinstance(target, dict):
            return
    for key in list(target):
        if key.lower() == segments[-1].lower():
            del target[key]


def _normalise_complex_value(segments, value):
    """Extension values may come keyed by sub-attribute; URN-keyed values are unwrapped."""
    if len(segments) == 1 and segments[0] in EXTENSIONS + COMPLEX and not isinstance(value, dict):
        raise _bad("invalid_attribute_format")
    return value


def _apply_value(record, op, segments, value):
    attribute = segments[0]
    if attribute in SLOTTED and len(segments) == 1:
        record[attribute] = slotted_value(attribute, value, None if op == "replace" else record.get(attribute))
        if not record[attribute]:
            record.pop(attribute)
        return
    if attribute == "addresses" and len(segments) == 2 and segments[1] in ADDRESS_FIELDS:
        address = dict((record.get("addresses") or [{}])[0], **{segments[1]: value})
        address = stored_address(address)
        record["addresses"] = [address] if address else []
        return
    if attribute in MULTI_VALUED and len(segments) == 1:
        values = value if isinstance(value, list) else [value]
        if op == "replace":
            record[attribute] = []
        items = record.setdefault(attribute, [])
        for item in values:
            _merge_item(items, item, attribute)
        return
    if attribute in MULTI_VALUED:
        raise _bad("invalid_attribute_format")
    value = _normalise_complex_value(segments, value)
    merge = attribute in COMPLEX or attribute in EXTENSIONS
    if attribute == "userName" or attribute == "nickName":
        record["userName"] = value
        return
    _set_nested(record, segments, value, merge)


def apply_v2_user_patch(record, body):
    if DIALECTS["v2"]["patch"] not in (body.get("schemas") or []):
        raise _bad("missing_schema_element")
    operations = body.get("Operations")
    if not isinstance(operations, list) or not operations:
        raise _bad()
    for operation in operations:
        if not isinstance(operation, dict):
            raise _bad()
        op = str(operation.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise _bad()
        path = operation.get("path")
        value = operation.get("value")
        if not path:
            if op == "remove" or not isinstance(value, dict):
                raise _bad()
            for key, item in value.items():
                name = canonical_key(key)
                if name is None:
                    raise _bad("invalid_attribute_format")
                _apply_value(record, op, [name], item)
            continue
        segments, predicate, sub = _split_path(path)
        attribute = segments[0]
        if attribute in ("id", "meta", "groups", "schemas"):
            raise _bad("invalid_attribute_format")
        if predicate is not None:
            if attribute not in MULTI_VALUED:
                raise _bad("invalid_attribute_format")
            items = record.get(attribute) or []
            matched = [item for item in items if isinstance(item, dict) and predicate(item)]
            if op == "remove":
                record[attribute] = [item for item in items if item not in matched]
            else:
                for item in matched:
                    if sub:
                        item[sub] = value
                    elif isinstance(value, dict) and attribute == "phoneNumbers":
                        item["value"] = value.get("value", item.get("value"))  # the slot stays
                    elif isinstance(value, dict):
                        item.update(value)
            continue
        if op == "remove":
            if attribute == "emails" and len(segments) == 1:
                record["emails"] = [item for item in record.get("emails") or [] if item.get("primary")]
            elif attribute in ("userName", "nickName"):
                raise _bad("username_empty")
            elif len(segments) == 1:
                record.pop(attribute, None)
            else:
                _remove_nested(record, segments)
            continue
        _apply_value(record, op, segments, value)


def apply_v1_user_patch(record, body):
    if DIALECTS["v1"]["user"] not in (body.get("schemas") or []):
        raise _bad("missing_schema_element")
    for path in (body.get("meta") or {}).get("attributes") or []:
        segments = _v1_path(path)
        if segments[0] in ("userName", "nickName"):
            raise _bad("username_empty")
        if len(segments) == 1:
            record.pop(segments[0], None)
        else:
            _remove_nested(record, segments)
    for key, value in body.items():
        if key in ("schemas", "meta", "id", "groups"):
            continue
        name = canonical_key(key)
        if name is None:
            continue  # Slack ignores attributes it does not know
        if name in MULTI_VALUED:
            items = value if isinstance(value, list) else [value]
            deletes = [item for item in items
                       if isinstance(item, dict) and str(item.get("operation", "")).lower() == "delete"]
            adds = [{k: v for k, v in item.items() if k != "operation"} if isinstance(item, dict) else item
                    for item in items if not any(item is deleted for deleted in deletes)]
            for item in deletes:
                _v1_delete(record, name, item)
            if name in SLOTTED:
                if adds:
                    _apply_value(record, "add", [name], adds)
                continue
            entries = record.setdefault(name, [])
            for item in adds:
                _merge_item(entries, item, name)
        else:
            _apply_value(record, "add", [name], value)


def _v1_delete(record, name, item):
    """``{"value": ..., "operation": "delete"}``: an address goes only when all five fields match."""
    entries = record.get(name) or []
    if name == "addresses":
        target = stored_address(item) or {}
        record[name] = [entry for entry in entries
                        if any(str(entry.get(f) or "") != str(target.get(f) or "") for f in ADDRESS_FIELDS)]
        return
    target = str(item.get("value", "")).lower()
    if name == "photos" and target and target == str(record.get("photoSource", "")).lower():
        record[name] = []
        return
    record[name] = [entry for entry in entries if str(entry.get("value", "")).lower() != target]


def _extension_path(path):
    """(extension name, the rest of the path) for a path that starts with an extension URN."""
    for dialect_names in DIALECTS.values():
        for extension in EXTENSIONS:
            urn = dialect_names[extension]
            if path.lower().startswith(urn.lower()):
                return extension, path[len(urn):].lstrip(":.")
    raise _bad("invalid_attribute_format")


def _v1_path(path):
    if path.lower().startswith("urn:"):
        extension, rest = _extension_path(path)
        return [extension] + [part for part in rest.split(".") if part]
    parts = path.split(".")
    head = canonical_key(parts[0])
    if head is None:
        raise _bad("invalid_attribute_format")
    return [head] + parts[1:]


def group_patch_steps(dialect, body):
    """The changes of a group PATCH, in the order they apply: ``(kind, value)`` with ``kind`` one of
    ``rename`` (a display name), ``add``, ``remove`` or ``replace`` (member ids).

    v2 applies a PatchOp's operations in the order given (RFC 7644 section 3.5.2: "each operation ... is
    applied in sequence"), so an ``add`` then a ``remove`` of one member leaves it out.  v1's body is a partial
    group, not a sequence: a replace (``meta.attributes``), then the deletes, then the adds.
    """
    if dialect == "v1":
        return _v1_group_steps(body)
    if DIALECTS["v2"]["patch"] not in (body.get("schemas") or []):
        raise _bad("missing_schema_element")
    operations = body.get("Operations")
    if not isinstance(operations, list) or not all(isinstance(operation, dict) for operation in operations):
        raise _bad()
    steps = []
    for operation in operations:
        steps.extend(_v2_group_steps(operation))
    return steps


def _v1_group_steps(body):
    if DIALECTS["v1"]["group"] not in (body.get("schemas") or []):
        raise _bad("missing_schema_element")
    add, remove = [], []
    for member in body.get("members") or []:
        if not isinstance(member, dict) or not member.get("value"):
            raise _bad("invalid_request_payload")
        (remove if str(member.get("operation", "")).lower() == "delete" else add).append(member["value"])
    steps = [("rename", body["displayName"])] if body.get("displayName") is not None else []
    if "members" in (body.get("meta") or {}).get("attributes", []):
        return steps + [("replace", add), ("remove", remove)]
    return steps + [("remove", remove), ("add", add)]


def _v2_group_steps(operation):
    op = str(operation.get("op", "")).lower()
    path = operation.get("path") or ""
    value = operation.get("value")
    if not path and isinstance(value, dict):
        steps = []
        for key, item in value.items():
            if key.lower() == "displayname":
                steps.append(("rename", item))
            elif key.lower() == "members":
                steps.append(("replace" if op == "replace" else "add", _member_values(item)))
        return steps
    lowered = path.lower()
    if lowered == "displayname" and op in ("add", "replace"):
        return [("rename", value)]
    if lowered == "members":
        if op in ("add", "replace"):
            return [(op, _member_values(value or []))]
        if op == "remove":
            return [("remove", _member_values(value))] if value else [("replace", [])]
        raise _bad()
    if lowered.startswith("members[") and op == "remove":
        match = re.match(r'members\[\s*value\s+eq\s+"?([A-Za-z0-9]+)"?\s*\]$', path, re.I)
        if not match:
            raise _bad("invalid_filter_group")
        return [("remove", [match.group(1)])]
    raise _bad("invalid_attribute_format")


def _member_values(members):
    if not isinstance(members, list) or not all(isinstance(m, dict) and m.get("value") for m in members):
        raise _bad()
    return [m["value"] for m in members]
