# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Dialect constants, and the mapping between SCIM JSON and the emulator's canonical records.

Users are stored dialect-neutral: core attributes under their SCIM names, the enterprise,
Slack profile and Slack guest extensions under ``enterprise``, ``profile`` and ``guest``.
"""

import copy


class ScimFault(Exception):
    """A SCIM error response: HTTP status plus Slack's error string."""

    def __init__(self, status, error, retry_after=None):
        super().__init__("%s %s" % (status, error))
        self.status = status
        self.error = error
        self.retry_after = retry_after


DIALECTS = {
    "v1": {
        "user": "urn:scim:schemas:core:1.0",
        "group": "urn:scim:schemas:core:1.0",
        "list": "urn:scim:schemas:core:1.0",
        "enterprise": "urn:scim:schemas:extension:enterprise:1.0",
        "profile": "urn:scim:schemas:extension:slack:profile:1.0",
        "guest": "urn:scim:schemas:extension:slack:guest:1.0",
    },
    "v2": {
        "user": "urn:ietf:params:scim:schemas:core:2.0:User",
        "group": "urn:ietf:params:scim:schemas:core:2.0:Group",
        "list": "urn:ietf:params:scim:api:messages:2.0:ListResponse",
        "enterprise": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        "profile": "urn:ietf:params:scim:schemas:extension:slack:profile:2.0:User",
        "guest": "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User",
        "patch": "urn:ietf:params:scim:api:messages:2.0:PatchOp",
        "error": "urn:ietf:params:scim:api:messages:2.0:Error",
    },
}
EXTENSIONS = ("enterprise", "profile", "guest")

SCALARS = ("userName", "nickName", "displayName", "profileUrl", "title", "timezone", "active", "userType",
           "preferredLanguage", "locale", "externalId", "password")
COMPLEX = ("name",)
MULTI_VALUED = ("emails", "phoneNumbers", "addresses", "photos", "roles")
READ_ONLY = ("id", "meta", "groups", "schemas")
ALL_USER_ATTRIBUTES = SCALARS + COMPLEX + MULTI_VALUED + EXTENSIONS
# Attribute names are case-insensitive in SCIM.
CANONICAL = {name.lower(): name for name in ALL_USER_ATTRIBUTES + READ_ONLY + ("members",)}
# How many values of each multi-valued attribute Slack keeps.
KEEP = {"emails": 2, "phoneNumbers": 2, "addresses": 1, "photos": 1, "roles": 1}
ENTERPRISE_FIELDS = ("employeeNumber", "costCenter", "organization", "division", "department", "manager")


def extension_for_urn(urn):
    """('enterprise'|'profile'|'guest', dialect) for a schema URN, or (None, None)."""
    lowered = urn.lower()
    for dialect, names in DIALECTS.items():
        for extension in EXTENSIONS:
            if names[extension].lower() == lowered:
                return extension, dialect
    return None, None


def canonical_key(key):
    """The canonical record key for a SCIM JSON key (URNs become extension names)."""
    if key.lower().startswith("urn:"):
        return extension_for_urn(key)[0]
    return CANONICAL.get(key.lower())


def ingest_user(payload):
    """A canonical record from a POST/PUT body of either dialect (unknown keys dropped)."""
    record = {}
    for key, value in payload.items():
        name = canonical_key(key)
        if name and name not in READ_ONLY:
            record[name] = copy.deepcopy(value)
    return record


def render_user(record, dialect, groups):
    """The user as Slack returns it in ``dialect``; ``groups`` is [(id, displayName)]."""
    names = DIALECTS[dialect]
    absent = None if dialect == "v2" else ""
    schemas = [names["user"]]
    body = {
        "schemas": schemas,
        "id": record["id"],
        "externalId": record.get("externalId") or "",
        "meta": {"created": record["created"], "location": "%s/Users/%s" % (dialect, record["id"])},
        "userName": record["userName"],
        "nickName": record["userName"],
        "name": {
            "givenName": (record.get("name") or {}).get("givenName", absent),
            "familyName": (record.get("name") or {}).get("familyName", absent),
            "honorificPrefix": (record.get("name") or {}).get("honorificPrefix", absent),
        },
        "displayName": record.get("displayName") or absent,
        "profileUrl": record.get("profileUrl"),
        "title": record.get("title") or absent,
        "timezone": record.get("timezone") or absent,
        "active": bool(record.get("active")),
        "emails": copy.deepcopy(record.get("emails") or []),
        "photos": copy.deepcopy(record.get("photos") or []),
        "groups": [{"value": gid, "display": name} for gid, name in groups],
    }
    for key in ("phoneNumbers", "addresses", "roles"):
        if record.get(key) or dialect == "v2":
            body[key] = copy.deepcopy(record.get(key) or [])
    for key in ("userType", "preferredLanguage", "locale"):
        if record.get(key) or dialect == "v2":
            body[key] = record.get(key) or absent
    enterprise = record.get("enterprise") or {}
    if enterprise or dialect == "v2":
        block = {field: enterprise.get(field, absent) for field in ENTERPRISE_FIELDS if field != "manager"}
        manager = enterprise.get("manager") or {}
        block["manager"] = {"managerId": manager.get("managerId", absent)}
        body[names["enterprise"]] = block
        schemas.append(names["enterprise"])
    if record.get("profile"):
        body[names["profile"]] = copy.deepcopy(record["profile"])
        schemas.append(names["profile"])
    if record.get("guest"):
        body[names["guest"]] = copy.deepcopy(record["guest"])
        schemas.append(names["guest"])
    return body


def render_group(record, dialect, member_display):
    names = DIALECTS[dialect]
    return {
        "schemas": [names["group"]],
        "id": record["id"],
        "meta": {"created": record["created"], "location": "%s/Groups/%s" % (dialect, record["id"])},
        "displayName": record["displayName"],
        "members": [{"value": uid, "display": member_display(uid)} for uid in record["members"]],
    }


def error_body(dialect, status, error):
    if dialect == "v2" and status != 401:
        return {"schemas": [DIALECTS["v2"]["error"]], "detail": error, "status": status}
    return {"Errors": {"description": error, "code": status}}
