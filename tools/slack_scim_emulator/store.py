# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator's state: users and groups, with the rules Slack enforces on them."""

import copy
import datetime
import itertools
import re
import threading

from .filters import FilterError, evaluate, parse_search_filter, simple_equality
from .names import MAX_USER_NAME, display_name_error, normalise_user_name
from .patch import apply_v1_user_patch, apply_v2_user_patch, group_patch_steps
from .schema import (PROFILE_FIELDS, SCALARS, ScimFault, cdn_photo_url, gravatar_url, ingest_user,
                     photo_url, primary_email, render_group, render_user)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHOTO = re.compile(r"^(https?://\S+|data:image/\S+)$", re.IGNORECASE)
MAX_MEMBERS_PER_REQUEST = 15000
# Internal account types (not part of SCIM): set through the control API or a loaded state.
ACCOUNT_TYPES = ("member", "admin", "owner", "primary_owner")
GUEST_KEYS = ("type", "expiration")

__all__ = ["Store", "normalise_user_name", "ACCOUNT_TYPES"]


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def _normalise_emails(emails):
    """At most two: the primary (primary: true, else type work, else first) and one secondary."""
    items = [item for item in emails or [] if isinstance(item, dict) and item.get("value")]
    if not items:
        return []
    primary = next((i for i in items if i.get("primary") is True), None) or \
        next((i for i in items if str(i.get("type", "")).lower() == "work"), None) or items[0]
    result = [{"value": primary["value"], "primary": True}]
    for item in items:
        if str(item["value"]).lower() != str(primary["value"]).lower():
            result.append({"value": item["value"], "primary": False})
            break
    return result


def _valid_expiration(value):
    """True for an ISO 8601 date-time (REF: "must be an ISO 8601 date time string")."""
    if not isinstance(value, str) or "T" not in value.upper():
        return False
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        datetime.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


class Store:
    def __init__(self):
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.users = {}
            self.groups = {}
            self.user_groups = {}
            self._user_names = {}
            self._emails = {}
            self._group_names = {}
            self._counter = itertools.count(1)
            # The organization's profile fields; a fresh emulator has all of them, as an
            # organization provisioned by an IdP does.  ``set_profile_fields([])`` models a new one.
            self.profile_fields = set(PROFILE_FIELDS)
            self._answer_photos = {}

    def _new_id(self, prefix):
        return "%sE%08X" % (prefix, next(self._counter))

    def set_profile_fields(self, fields):
        unknown = [field for field in fields if field not in PROFILE_FIELDS]
        if unknown:
            raise ValueError("unknown profile fields: %s (known: %s)" % (", ".join(unknown), ", ".join(PROFILE_FIELDS)))
        with self.lock:
            self.profile_fields = set(fields)

    # -- users ---------------------------------------------------------------------------

    def _index(self, record):
        self._user_names[record["userName"]] = record["id"]
        for email in record.get("emails") or []:
            self._emails[email["value"].lower()] = record["id"]

    def _unindex(self, record):
        self._user_names.pop(record["userName"], None)
        for email in record.get("emails") or []:
            self._emails.pop(email["value"].lower(), None)

    def _normalise(self, record, old, conversion_reactivates=False):
        """Apply Slack's rules to a record about to be stored; ``old`` is None on create."""
        if not str(record.get("userName") or "").strip():
            raise ScimFault(400, "username_empty")
        record["userName"] = normalise_user_name(record["userName"])
        record.pop("nickName", None)
        subject = "user=%s" % (old["id"] if old else record["userName"])
        if len(record["userName"]) > MAX_USER_NAME:
            raise ScimFault(400, "long_username", detail=subject)
        name = record.get("name")
        if name is not None and not isinstance(name, dict):
            raise ScimFault(400, "invalid_attribute_format")
        if isinstance(name, dict) and "givenName" in name and "familyName" in name and \
                not str(name.get("givenName") or "").strip() and not str(name.get("familyName") or "").strip() and \
                (name.get("givenName") or name.get("familyName")):
            raise ScimFault(400, "invalid_name_required", detail=subject)
        # REF: updating a value to " " clears the field.
        for key in SCALARS:
            if key not in ("userName", "active") and isinstance(record.get(key), str) and not record[key].strip():
                record.pop(key)
        display_name = record.get("displayName")
        if display_name is not None:
            error = display_name_error(display_name)
            if error:
                raise ScimFault(400, error, detail=subject)
        for email in record.get("emails") or []:
            if not isinstance(email, dict) or not EMAIL.match(str(email.get("value") or "")):
                raise ScimFault(400, "email_invalid", detail=subject)
        record["emails"] = _normalise_emails(record.get("emails"))
        if not record["emails"]:
            raise ScimFault(400, "email_empty" if old is None else "missing_primary_email", detail=subject)
        enterprise = record.get("enterprise")
        if enterprise is not None:
            if not isinstance(enterprise, dict):
                raise ScimFault(400, "improper_enterprise_schema_format")
            manager = enterprise.get("manager")
            if isinstance(manager, dict) and not any(value is not None for value in manager.values()):
                enterprise.pop("manager")
                manager = None
            if manager is not None and (not isinstance(manager, dict) or not manager.get("managerId")):
                raise ScimFault(400, "improper_enterprise_schema_format")
        self._normalise_photo(record, old)
        self._normalise_guest(record, old, conversion_reactivates)
        record["active"] = record.get("active") is not False
        if old is not None and old.get("active") and not record["active"] and \
                record.get("accountType") == "primary_owner":
            raise ScimFault(400, "cannot_disable_primary_owner", detail=subject)
        record.pop("password", None)
        for field in PROFILE_FIELDS:
            value = (record.get("name") or {}).get(field) if field == "honorificPrefix" else record.get(field)
            if value:
                self.profile_fields.add(field)

    def _normalise_photo(self, record, old):
        """Re-host a photo that was sent; a photo sent back as read leaves things as they are."""
        photos = record.get("photos") or []
        before = photo_url(old) if old is not None else None
        old_photos = (old or {}).get("photos") or []
        if not photos:
            record.pop("photos", None)
            record.pop("photoSource", None)
        else:
            value = photos[0].get("value")
            if not isinstance(value, str) or not PHOTO.match(value.strip()):
                raise ScimFault(400, "photos_invalid")
            if old_photos and value == old_photos[0].get("value"):
                record["photos"], record["photoSource"] = copy.deepcopy(old_photos), old.get("photoSource")
            elif old is not None and not old_photos and value == before:
                record.pop("photos", None)  # Slack's default photo, sent back as read
                record.pop("photoSource", None)
            else:
                record["photos"] = [{"value": cdn_photo_url(record["id"], value), "type": "photo"}]
                record["photoSource"] = value
        if record.get("photos") != (old_photos or None):
            # REF: "the response will not reflect the updated value immediately".
            self._answer_photos[record["id"]] = before or gravatar_url(primary_email(record))

    def _normalise_guest(self, record, old, conversion_reactivates):
        guest = record.get("guest")
        if guest is not None and not isinstance(guest, dict):
            raise ScimFault(400, "invalid_attribute_format")
        if guest == {}:
            guest = None
            record.pop("guest")
        was_guest = bool((old or {}).get("guest"))
        if guest is not None:
            if guest.get("type") != "multi":
                raise ScimFault(400, "invalid_request_payload")
            guest = {key: guest[key] for key in GUEST_KEYS if guest.get(key) not in (None, "")}
            if "expiration" in guest and not _valid_expiration(guest["expiration"]):
                raise ScimFault(400, "invalid_attribute_format")
            record["guest"] = guest
            if not was_guest and record.get("accountType") in ("admin", "owner", "primary_owner"):
                raise ScimFault(400, "cannot_make_user_guest")
        if old is not None and was_guest != (guest is not None) and conversion_reactivates:
            record["active"] = True  # REF: converting a deactivated user reactivates them

    def _check_unique(self, record):
        owner = self._user_names.get(record["userName"])
        if owner and owner != record["id"]:
            raise ScimFault(409, "username_taken", detail="username=%s" % record["userName"])
        for email in record["emails"]:
            owner = self._emails.get(email["value"].lower())
            if owner and owner != record["id"]:
                raise ScimFault(409, "email_taken", detail="existing_user=%s" % owner)

    def _commit(self, record, old=None):
        self._check_unique(record)
        if old is not None:
            self._unindex(old)
        self.users[record["id"]] = record
        self._index(record)
        if not record["active"]:
            # Assumed: no public source says whether Slack drops a deactivated user's memberships.
            for group_id in list(self.user_groups.get(record["id"], ())):
                self._remove_member(self.groups[group_id], record["id"])
        return record

    def _write(self, record, old, **options):
        """Normalise and commit; a refused write leaves no trace (the photo note included)."""
        try:
            self._normalise(record, old, **options)
            return self._commit(record, old)
        except ScimFault:
            self._answer_photos.pop(record["id"], None)
            raise

    def create_user(self, payload):
        with self.lock:
            record = ingest_user(payload)
            record.pop("accountType", None)
            record.setdefault("active", True)
            record["id"] = self._new_id("U")
            record["created"] = _now()
            self._write(record, None)
            # REF's v2 POST answer echoes the profileUrl sent; without one, the member's page.
            record["profileUrl"] = record.get("profileUrl") or \
                "https://emulated.enterprise.slack.com/team/%s" % record["userName"]
            record["externalId"] = record.get("externalId") or ""
            return record

    def get_user(self, user_id):
        record = self.users.get(user_id)
        if record is None:
            raise ScimFault(404, "no_such_user")
        return record

    def replace_user(self, user_id, payload):
        """PUT: everything omitted is blanked; without ``active: true`` the user is deactivated."""
        with self.lock:
            old = self.get_user(user_id)
            record = ingest_user(payload)
            record["active"] = record.get("active") is True
            for key in ("id", "created", "profileUrl", "externalId", "accountType"):
                if key in old:
                    record[key] = old[key]
            return self._write(record, old)

    def patch_user(self, user_id, dialect, body):
        with self.lock:
            old = self.get_user(user_id)
            record = copy.deepcopy(old)
            if dialect == "v1":
                apply_v1_user_patch(record, body)
            else:
                apply_v2_user_patch(record, body)
            for key in ("id", "created", "profileUrl", "externalId", "accountType"):
                if key in old:
                    record[key] = old[key]
            return self._write(record, old, conversion_reactivates=True)

    def deactivate_user(self, user_id):
        with self.lock:
            old = self.get_user(user_id)
            if old["active"] and old.get("accountType") == "primary_owner":
                raise ScimFault(400, "cannot_disable_primary_owner", detail="user=%s" % user_id)
            record = dict(old, active=False)
            return self._commit(record, old)

    def set_account_type(self, user_id, account_type):
        """Control API: make a user an admin, owner or primary owner (or a plain member again)."""
        if account_type not in ACCOUNT_TYPES:
            raise ValueError("account type must be one of %s" % ", ".join(ACCOUNT_TYPES))
        with self.lock:
            record = self.get_user(user_id)
            if account_type == "member":
                record.pop("accountType", None)
            else:
                record["accountType"] = account_type
            return record

    def render_user(self, record, dialect, answer=False):
        """The user as answered; ``answer``: the answer to the write that just changed it."""
        with self.lock:
            groups = [(gid, self.groups[gid]["displayName"])
                      for gid in sorted(self.user_groups.get(record["id"], ()))]
            photo = self._answer_photos.pop(record["id"], None) if answer else None
            return render_user(record, dialect, groups, self.profile_fields, photo)

    # -- groups --------------------------------------------------------------------------

    def _member_display(self, user_id):
        user = self.users.get(user_id) or {}
        return user.get("displayName") or user.get("userName") or ""

    def render_group(self, record, dialect):
        return render_group(record, dialect, self._member_display)

    def get_group(self, group_id):
        record = self.groups.get(group_id)
        if record is None:
            raise ScimFault(404, "no_such_group")
        return record

    def _check_group_name(self, name, group_id):
        if not isinstance(name, str) or not name.strip():
            raise ScimFault(400, "invalid_request_payload")  # assumed: REF names no error for this
        owner = self._group_names.get(name.strip().lower())
        if owner and owner != group_id:
            raise ScimFault(409, "name_taken")  # assumed: no public source for duplicate names

    def _check_members(self, user_ids):
        if len(user_ids) > MAX_MEMBERS_PER_REQUEST:
            raise ScimFault(400, "too_many_users")
        unknown = [user_id for user_id in user_ids if user_id not in self.users]
        if unknown:
            raise ScimFault(400, "no_such_group_members")
        for user_id in user_ids:
            # REF: "Users (regular and/or multi-channel guest users) can be added"; the error
            # string still names guests.
            if not self.users[user_id]["active"]:
                raise ScimFault(400, "unable_to_add_deleted_or_guest_to_group")

    def _add_member(self, group, user_id):
        if user_id not in group["members"]:
            group["members"][user_id] = True
            self.user_groups.setdefault(user_id, set()).add(group["id"])

    def _remove_member(self, group, user_id):
        if group["members"].pop(user_id, None):
            self.user_groups.get(user_id, set()).discard(group["id"])

    def _rename(self, group, name):
        self._check_group_name(name, group["id"])
        self._group_names.pop(group["displayName"].strip().lower(), None)
        group["displayName"] = name
        self._group_names[name.strip().lower()] = group["id"]

    @staticmethod
    def _member_ids(payload):
        members = payload.get("members") or []
        if not isinstance(members, list) or not all(isinstance(m, dict) and m.get("value") for m in members):
            raise ScimFault(400, "invalid_request_payload")
        return [m["value"] for m in members]

    def create_group(self, payload):
        with self.lock:
            name = payload.get("displayName")
            self._check_group_name(name, None)
            members = self._member_ids(payload)
            self._check_members(members)
            group = {"id": self._new_id("S"), "displayName": name, "members": {}, "created": _now()}
            self.groups[group["id"]] = group
            self._group_names[name.strip().lower()] = group["id"]
            for user_id in members:
                self._add_member(group, user_id)
            return group

    def replace_group(self, group_id, payload):
        with self.lock:
            group = self.get_group(group_id)
            members = self._member_ids(payload)
            self._check_members(members)
            self._rename(group, payload.get("displayName"))
            for user_id in list(group["members"]):
                if user_id not in members:
                    self._remove_member(group, user_id)
            for user_id in members:
                self._add_member(group, user_id)
            return group

    def patch_group(self, group_id, dialect, body):
        """Apply a group PATCH in the order of its steps (``group_patch_steps``); a refused PATCH changes nothing."""
        with self.lock:
            group = self.get_group(group_id)
            steps = group_patch_steps(dialect, body)
            self._check_members([uid for kind, ids in steps if kind in ("add", "replace") for uid in ids])
            if sum(len(ids) for kind, ids in steps if kind == "remove") > MAX_MEMBERS_PER_REQUEST:
                raise ScimFault(400, "too_many_users")
            for kind, value in steps:
                if kind == "rename":
                    self._check_group_name(value, group["id"])
            for kind, value in steps:
                self._apply_group_step(group, kind, value)
            return group

    def _apply_group_step(self, group, kind, value):
        if kind == "rename":
            self._rename(group, value)
            return
        if kind == "replace":
            for user_id in list(group["members"]):
                self._remove_member(group, user_id)
        for user_id in value:
            if kind == "remove":
                self._remove_member(group, user_id)
            else:
                self._add_member(group, user_id)

    def delete_group(self, group_id):
        with self.lock:
            group = self.get_group(group_id)
            for user_id in list(group["members"]):
                self._remove_member(group, user_id)
            self._group_names.pop(group["displayName"].strip().lower(), None)
            del self.groups[group_id]

    # -- listing -------------------------------------------------------------------------

    @staticmethod
    def _values(resource, record, attribute):
        """A record's values for a (canonical) search attribute."""
        if resource == "Groups":
            return [record.get("displayName")]
        if attribute == "userName":
            return [record["userName"]]
        if attribute == "email":
            return [email.get("value") for email in record.get("emails") or []]
        if attribute == "restricted":
            return [bool(record.get("guest"))]
        return [False]  # ultra_restricted: single-channel guests cannot be provisioned via SCIM

    def search(self, resource, dialect, filter_text, start_index, count, hidden=None):
        """(total, page of rendered resources) for GET /Users or /Groups; ``hidden``: a user name left out."""
        with self.lock:
            records = list(self.users.values() if resource == "Users" else self.groups.values())
            if hidden is not None:
                records = [record for record in records if record.get("userName") != hidden]
            if resource == "Users":
                def render(record):
                    return self.render_user(record, dialect)
            else:
                def render(record):
                    return self.render_group(record, dialect)
            if filter_text is not None:
                try:
                    tree = parse_search_filter(filter_text, resource, dialect)
                except FilterError as exc:
                    raise ScimFault(400, exc.error)
                indexed = self._indexed(resource, simple_equality(tree))
                if indexed is not None:
                    records = indexed
                records = [record for record in records
                           if evaluate(tree, lambda attribute, r=record: self._values(resource, r, attribute))]
            return len(records), [render(r) for r in records[start_index - 1:start_index - 1 + count]]

    def _indexed(self, resource, equality):
        """The records an ``attr eq "value"`` filter can only match, from an index (None: scan)."""
        if equality is None:
            return None
        attribute, value = equality
        index = {("Users", "userName"): self._user_names, ("Users", "email"): self._emails,
                 ("Groups", "displayName"): self._group_names}.get((resource, attribute))
        if index is None:
            return None
        key = index.get(value.strip().lower())
        table = self.users if resource == "Users" else self.groups
        return [table[key]] if key in table else []

    # -- seeding and persistence ---------------------------------------------------------

    def seed(self, users=0, groups=0, members_per_group=0, prefix="user", domain="example.com", guests=0):
        """Add synthetic users and groups fast (no HTTP, same invariants); the last ``guests``
        users added are multi-channel guests."""
        with self.lock:
            start = len(self.users)
            created = []
            for index in range(start, start + users):
                name = "%s%05d" % (prefix, index)
                record = {
                    "id": self._new_id("U"), "userName": name, "active": True, "created": _now(),
                    "name": {"givenName": prefix.capitalize(), "familyName": "%05d" % index},
                    "displayName": "%s %05d" % (prefix.capitalize(), index),
                    "emails": [{"value": "%s@%s" % (name, domain), "primary": True}],
                    "profileUrl": "https://emulated.enterprise.slack.com/team/%s" % name, "externalId": "",
                }
                if index >= start + users - guests:
                    record["guest"] = {"type": "multi"}
                self._commit(record)
                created.append(record["id"])
            member_ids = list(self.users)[:members_per_group]
            for dummy in range(groups):
                group = self.create_group({"displayName": "%s-group-%03d" % (prefix, len(self.groups))})
                for user_id in member_ids:
                    self._add_member(group, user_id)
            return {"users": len(created), "groups": groups}

    def dump(self):
        with self.lock:
            groups = [dict(g, members=list(g["members"])) for g in self.groups.values()]
            return {"users": list(self.users.values()), "groups": groups,
                    "profile_fields": sorted(self.profile_fields)}

    def load(self, data):
        with self.lock:
            self.reset()
            if "profile_fields" in data:
                self.set_profile_fields(data["profile_fields"])
            highest = 0
            for record in data.get("users", []):
                self.users[record["id"]] = record
                self._index(record)
                highest = max(highest, int(record["id"][2:], 16))
            for group in data.get("groups", []):
                members = group.get("members", [])
                group = dict(group, members={})
                self.groups[group["id"]] = group
                self._group_names[group["displayName"].strip().lower()] = group["id"]
                for user_id in members:
                    self._add_member(group, user_id)
                highest = max(highest, int(group["id"][2:], 16))
            self._counter = itertools.count(highest + 1)
