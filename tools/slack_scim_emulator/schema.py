# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Dialect constants, and the mapping between SCIM JSON and the emulator's canonical records.

Users are stored dialect-neutral: core attributes under their SCIM names, the enterprise,
Slack profile and Slack guest extensions under ``enterprise``, ``profile`` and ``guest``.
Multi-valued attributes Slack keeps in fixed slots are stored the way Slack answers them:

- ``phoneNumbers``: ``{"value": v, "type": "mobile"}`` is the mobilePhone slot and
  ``{"value": v, "primary": true}`` the primaryPhone slot (REF: in a request ``"type": "mobile"``
  or ``"primary": true`` names the primaryPhone, ``"type": "work"`` or ``"primary": false`` the
  mobilePhone; in the answer ``"type": "mobile"`` marks the mobilePhone);
- ``addresses``: one address of the five supported fields, without ``type`` or ``primary``;
- ``roles``: one ``{"value": v, "primary": true}``;
- ``photos``: one ``{"value": <Slack CDN URL>, "type": "photo"}``; ``photoSource`` keeps what
  was sent (internal: tells whether a photo was set at all).
"""

import copy
import hashlib
from urllib.parse import quote


class ScimFault(Exception):
    """A SCIM error response: HTTP status plus Slack's error string (and its ``(...)`` detail)."""

    def __init__(self, status, error, retry_after=None, detail=None):
        super().__init__("%s %s" % (status, error))
        self.status = status
        self.error = error
        self.retry_after = retry_after
        self.detail = detail

    @property
    def description(self):
        return "%s (%s)" % (self.error, self.detail) if self.detail else self.error


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
# Multi-valued attributes Slack keeps in fixed slots: a write replaces the slot, it never appends.
SLOTTED = ("phoneNumbers", "addresses", "photos", "roles")
READ_ONLY = ("id", "meta", "groups", "schemas")
ALL_USER_ATTRIBUTES = SCALARS + COMPLEX + MULTI_VALUED + EXTENSIONS
# Attribute names are case-insensitive in SCIM.
CANONICAL = {name.lower(): name for name in ALL_USER_ATTRIBUTES + READ_ONLY + ("members",)}
ENTERPRISE_FIELDS = ("employeeNumber", "costCenter", "organization", "division", "department", "manager")
ADDRESS_FIELDS = ("streetAddress", "locality", "region", "postalCode", "country")
# Profile fields an organization gets once any user has a value for them (REF: "Slack will also
# create profile fields if the following SCIM attributes are present"). Every user of an
# organization that has the field is answered with it, with null placeholders when blank.
PROFILE_FIELDS = ("phoneNumbers", "addresses", "roles", "userType", "preferredLanguage", "locale",
                  "honorificPrefix", "enterprise", "profile")
DEFAULT_TIMEZONE = "America/Los_Angeles"  # what REF's answers show for users created without one
PHOTO_SIZE = 192


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


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _truthy(value):
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _falsy(value):
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


# -- slotted attributes: request form in, stored (answer) form out ---------------------------

def phone_slot(entry):
    """'primary' or 'mobile' for a stored phone entry."""
    return "mobile" if str(entry.get("type", "")).lower() == "mobile" and not entry.get("primary") else "primary"


def assign_phones(current, items):
    """Stored phone entries after writing request entries ``items`` over ``current``.

    A request entry names the primaryPhone with ``"primary": true`` or ``"type": "mobile"``, the
    mobilePhone with ``"primary": false`` or ``"type": "work"``; unmarked entries fill the free
    slots in order, primaryPhone first.  An entry with a blank value leaves its slot empty.
    """
    slots = {phone_slot(entry): entry.get("value") for entry in current or [] if isinstance(entry, dict)}
    unmarked = []
    for item in items or []:
        if isinstance(item, str):
            item = {"value": item}
        if not isinstance(item, dict):
            raise ScimFault(400, "phoneNumbers_invalid")
        kind = str(item.get("type") or "").strip().lower()
        if _truthy(item.get("primary")) or kind == "mobile":
            slots["primary"] = item.get("value")
        elif _falsy(item.get("primary")) or kind == "work":
            slots["mobile"] = item.get("value")
        else:
            unmarked.append(item.get("value"))
    free = [slot for slot in ("primary", "mobile") if slot not in slots or _blank(slots[slot])]
    for value, slot in zip(unmarked, free):
        slots[slot] = value
    stored = []
    for slot in ("mobile", "primary"):
        value = slots.get(slot)
        if _blank(value):
            continue
        if not isinstance(value, (str, int)):
            raise ScimFault(400, "phoneNumbers_invalid")
        stored.append({"value": str(value), "type": "mobile"} if slot == "mobile" else
                      {"value": str(value), "primary": True})
    return stored


def choose_one(items):
    """The entry Slack keeps of a multi-valued attribute: ``primary: true``, else the first."""
    items = [item for item in items or [] if item is not None]
    for item in items:
        if isinstance(item, dict) and _truthy(item.get("primary")):
            return item
    return items[0] if items else None


def stored_address(item, error="addresses_invalid"):
    """The stored form of an address: its supported fields only; None when all are blank."""
    if item is None:
        return None
    if not isinstance(item, dict):
        raise ScimFault(400, error)
    address = {}
    for field in ADDRESS_FIELDS:
        value = item.get(field)
        if not _blank(value):
            if not isinstance(value, (str, int)):
                raise ScimFault(400, error)
            address[field] = str(value)
    return address or None


def stored_role(item):
    """The stored form of a role (an object or a plain string); None when blank."""
    if isinstance(item, dict):
        value = item.get("value")
    else:
        value = item
    if _blank(value):
        return None
    if not isinstance(value, (str, int)):
        raise ScimFault(400, "roles_invalid")
    return {"value": str(value), "primary": True}


def slotted_value(attribute, items, current):
    """The stored list for ``attribute`` after a write of request ``items`` (``current``: before).

    Photos keep the request form here; the store re-hosts them on Slack's CDN.
    """
    items = items if isinstance(items, list) else [items]
    if attribute == "phoneNumbers":
        return assign_phones(current, items)
    chosen = choose_one(items)
    if attribute == "addresses":
        address = stored_address(chosen)
        return [address] if address else []
    if attribute == "roles":
        role = stored_role(chosen)
        return [role] if role else []
    if chosen is None:
        return []
    if isinstance(chosen, str):
        chosen = {"value": chosen}
    if not isinstance(chosen, dict):
        raise ScimFault(400, "photos_invalid")
    return [] if _blank(chosen.get("value")) else [{"value": chosen.get("value")}]


def ingest_user(payload):
    """A canonical record from a POST/PUT body of either dialect (unknown keys dropped)."""
    record = {}
    for key, value in payload.items():
        name = canonical_key(key)
        if name and name not in READ_ONLY:
            if name in SLOTTED:
                record[name] = slotted_value(name, value, None)
            else:
                record[name] = copy.deepcopy(value)
    return record


# -- photos --------------------------------------------------------------------------------

def cdn_photo_url(user_id, sent):
    """Where Slack re-hosts a photo it was sent (deterministic in the user and the value sent)."""
    digest = hashlib.sha1(("%s\0%s" % (user_id, sent)).encode("utf-8")).hexdigest()
    return "https://avatars.slack-edge.com/emulated/%013d_%s_%d.png" % (
        int(digest[:12], 16) % 10 ** 13, digest[12:32], PHOTO_SIZE)


def gravatar_url(email):
    """The default photo Slack answers for a user without one (REF's POST /Users answers)."""
    digest = hashlib.md5(str(email or "").strip().lower().encode("utf-8")).hexdigest()  # nosec - not security
    shape = "https://a.slack-edge.com/emulated/img/avatars/user_shapes/ava_%04d-%d.png" % (
        int(digest[:4], 16) % 40 + 1, PHOTO_SIZE)
    return "https://secure.gravatar.com/avatar/%s.jpg?s=%d&d=%s" % (digest, PHOTO_SIZE, quote(shape, safe=""))


def primary_email(record):
    for email in record.get("emails") or []:
        if email.get("primary"):
            return email.get("value")
    return None


def photo_url(record):
    """The photo URL Slack answers for the user now."""
    photos = record.get("photos") or []
    if photos and photos[0].get("value"):
        return photos[0]["value"]
    return gravatar_url(primary_email(record))


# -- rendering -----------------------------------------------------------------------------

def render_user(record, dialect, groups, fields=PROFILE_FIELDS, photo=None):
    """The user as Slack returns it in ``dialect``.

    ``groups``: [(id, displayName)]; ``fields``: the organization's profile fields;
    ``photo``: the photo URL to answer instead of the current one (a write's own answer).
    """
    names = DIALECTS[dialect]
    # v2 answers null for absent values, but "" for displayName, title, externalId and the
    # name parts (REF's answers); v1 answers "" throughout.
    null = None if dialect == "v2" else ""
    schemas = [names["user"]]
    name = record.get("name") if isinstance(record.get("name"), dict) else {}
    body = {
        "schemas": schemas,
        "id": record["id"],
        "externalId": record.get("externalId") or "",
        "meta": {"created": record["created"], "location": "%s/Users/%s" % (dialect, record["id"])},
        "userName": record["userName"],
        "nickName": record["userName"],
        "name": {"givenName": name.get("givenName") or "", "familyName": name.get("familyName") or ""},
        "displayName": record.get("displayName") or "",
        "profileUrl": record.get("profileUrl"),
        "title": record.get("title") or "",
        "timezone": record.get("timezone") or DEFAULT_TIMEZONE,
        "active": bool(record.get("active")),
        "emails": copy.deepcopy(record.get("emails") or []),
        "photos": [{"value": photo or photo_url(record), "type": "photo"}],
    }
    if "honorificPrefix" in fields or name.get("honorificPrefix"):
        body["name"]["honorificPrefix"] = name.get("honorificPrefix") or null
    if "addresses" in fields or record.get("addresses"):
        address = (record.get("addresses") or [{}])[0]
        body["addresses"] = [{field: address.get(field) for field in ADDRESS_FIELDS}]
    if "phoneNumbers" in fields or record.get("phoneNumbers"):
        slots = {phone_slot(entry): entry.get("value") for entry in record.get("phoneNumbers") or []}
        body["phoneNumbers"] = [{"value": slots.get("mobile"), "type": "mobile"},
                                {"value": slots.get("primary"), "primary": True}]
    for key in ("userType",):
        if key in fields or record.get(key):
            body[key] = record.get(key) or null
    if "roles" in fields or record.get("roles"):
        body["roles"] = [{"value": ((record.get("roles") or [{}])[0]).get("value"), "primary": True}]
    for key in ("preferredLanguage", "locale"):
        if key in fields or record.get(key):
            body[key] = record.get(key) or null
    enterprise = record.get("enterprise") or {}
    if "enterprise" in fields or enterprise:
        block = {field: enterprise.get(field) or null for field in ENTERPRISE_FIELDS if field != "manager"}
        manager = enterprise.get("manager") or {}
        block["manager"] = {"managerId": manager.get("managerId") or null}
        body[names["enterprise"]] = block
        schemas.append(names["enterprise"])
    profile = record.get("profile") or {}
    if "profile" in fields or profile:
        body[names["profile"]] = {"startDate": profile.get("startDate") or null}
        schemas.append(names["profile"])
    body["groups"] = [{"value": gid, "display": display} for gid, display in groups]
    if record.get("guest"):
        guest = {"type": record["guest"].get("type")}
        if record["guest"].get("expiration"):
            guest["expiration"] = record["guest"]["expiration"]
        body[names["guest"]] = guest
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
    """Slack's error body; 401s use the v1 shape on both dialects."""
    if dialect == "v2" and status != 401:
        return {"schemas": [DIALECTS["v2"]["error"]], "detail": error, "status": status}
    return {"Errors": {"description": error, "code": status}}
