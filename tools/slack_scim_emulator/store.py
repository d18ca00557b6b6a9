# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator's state: users and groups, with the rules Slack enforces on them."""

import copy
import datetime
import itertools
import re
import threading

from .filters import FilterError, parse_filter, simple_equality
from .patch import apply_v1_user_patch, apply_v2_user_patch, group_patch_intents
from .schema import KEEP, ScimFault, ingest_user, render_group, render_user

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_MEMBERS_PER_REQUEST = 15000


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def normalise_user_name(value):
    """Slack's rule: lower case; anything but letters, digits, '.', '_' and '-' becomes '_'."""
    return re.sub(r"[^a-z0-9._-]", "_", str(value).strip().lower())


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

    def _new_id(self, prefix):
        return "%sE%08X" % (prefix, next(self._counter))

    # -- users ---------------------------------------------------------------------------

    def _index(self, record):
        self._user_names[record["userName"]] = record["id"]
        for email in record.get("emails") or []:
            self._emails[email["value"].lower()] = record["id"]

    def _unindex(self, record):
        self._user_names.pop(record["userName"], None)
        for email in record.get("emails") or []:
            self._emails.pop(email["value"].lower(), None)

    def _normalise(self, record, creating):
        if not str(record.get("userName") or "").strip():
            raise ScimFault(400, "username_empty")
        record["userName"] = normalise_user_name(record["userName"])
        record.pop("nickName", None)
        if len(record["userName"]) > 21:
            raise ScimFault(400, "username_too_long")
        display_name = record.get("displayName")
        if display_name:
            if len(display_name) > 80:
                raise ScimFault(400, "invalid_name_maxlength")
            if display_name.startswith("@"):
                raise ScimFault(400, "invalid_starts_with_at")
        name = record.get("name")
        if isinstance(name, dict) and "givenName" in name and "familyName" in name and \
                not str(name.get("givenName") or "").strip() and not str(name.get("familyName") or "").strip() and \
                (name.get("givenName") or name.get("familyName")):
            raise ScimFault(400, "invalid_name_required")
        for email in record.get("emails") or []:
            if not isinstance(email, dict) or not EMAIL.match(str(email.get("value") or "")):
                raise ScimFault(400, "email_invalid")
        record["emails"] = _normalise_emails(record.get("emails"))
        if not record["emails"]:
            raise ScimFault(400, "email_empty" if creating else "missing_primary_email")
        for key, keep in KEEP.items():
            if key != "emails" and record.get(key):
                record[key] = [item for item in record[key] if isinstance(item, dict)][:keep]
        for address in record.get("addresses") or []:
            address.pop("type", None)
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
        record["active"] = record.get("active") is not False
        record.pop("password", None)

    def _check_unique(self, record):
        owner = self._user_names.get(record["userName"])
        if owner and owner != record["id"]:
            raise ScimFault(409, "username_taken")
        for email in record["emails"]:
            owner = self._emails.get(email["value"].lower())
            if owner and owner != record["id"]:
                raise ScimFault(409, "email_taken")

    def _commit(self, record, old=None):
        self._check_unique(record)
        if old is not None:
            self._unindex(old)
        self.users[record["id"]] = record
        self._index(record)
        if not record["active"]:
            for group_id in list(self.user_groups.get(record["id"], ())):
                self._remove_member(self.groups[group_id], record["id"])
        return record

    def create_user(self, payload):
        with self.lock:
            record = ingest_user(payload)
            record.setdefault("active", True)
            record["id"] = "pending"
            self._normalise(record, creating=True)
            record["id"] = self._new_id("U")
            record["created"] = _now()
            record["profileUrl"] = "https://emulated.enterprise.slack.com/team/%s" % record["userName"]
            record["externalId"] = ""
            return self._commit(record)

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
            for key in ("id", "created", "profileUrl", "externalId"):
                record[key] = old[key]
            self._normalise(record, creating=False)
            return self._commit(record, old)

    def patch_user(self, user_id, dialect, body):
        with self.lock:
            old = self.get_user(user_id)
            record = copy.deepcopy(old)
            if dialect == "v1":
                apply_v1_user_patch(record, body)
            else:
                apply_v2_user_patch(record, body)
            self._normalise(record, creating=False)
            return self._commit(record, old)

    def deactivate_user(self, user_id):
        with self.lock:
            old = self.get_user(user_id)
            record = dict(old, active=False)
            return self._commit(record, old)

    def render_user(self, record, dialect):
        groups = [(gid, self.groups[gid]["displayName"]) for gid in sorted(self.user_groups.get(record["id"], ()))]
        return render_user(record, dialect, groups)

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
            raise ScimFault(400, "missing_group_name")
        owner = self._group_names.get(name.strip().lower())
        if owner and owner != group_id:
            raise ScimFault(409, "name_taken")

    def _check_members(self, user_ids):
        if len(user_ids) > MAX_MEMBERS_PER_REQUEST:
            raise ScimFault(400, "too_many_users")
        for user_id in user_ids:
            user = self.users.get(user_id)
            if user is None:
                raise ScimFault(400, "no_such_user")
            if not user["active"] or user.get("guest"):
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
        with self.lock:
            group = self.get_group(group_id)
            display_name, add, remove, replace = group_patch_intents(dialect, body)
            self._check_members(add + (replace or []))
            if len(remove) > MAX_MEMBERS_PER_REQUEST:
                raise ScimFault(400, "too_many_users")
            if display_name is not None:
                self._rename(group, display_name)
            if replace is not None:
                for user_id in list(group["members"]):
                    self._remove_member(group, user_id)
                add = replace + add
            for user_id in remove:
                self._remove_member(group, user_id)
            for user_id in add:
                self._add_member(group, user_id)
            return group

    def delete_group(self, group_id):
        with self.lock:
            group = self.get_group(group_id)
            for user_id in list(group["members"]):
                self._remove_member(group, user_id)
            self._group_names.pop(group["displayName"].strip().lower(), None)
            del self.groups[group_id]

    # -- listing -------------------------------------------------------------------------

    def search(self, resource, dialect, filter_text, start_index, count):
        """(total, page of rendered resources) for GET /Users or /Groups."""
        with self.lock:
            records = list(self.users.values() if resource == "Users" else self.groups.values())
            render = self.render_user if resource == "Users" else self.render_group
            if filter_text is not None:
                try:
                    predicate = parse_filter(filter_text)
                    indexed = self._indexed(resource, simple_equality(filter_text))
                except FilterError as exc:
                    raise ScimFault(400, exc.error)
                if indexed is not None:
                    records = indexed
                matched = [rendered for rendered in (render(r, dialect) for r in records) if predicate(rendered)]
                return len(matched), matched[start_index - 1:start_index - 1 + count]
            return len(records), [render(r, dialect) for r in records[start_index - 1:start_index - 1 + count]]

    def _indexed(self, resource, equality):
        """The records an ``attr eq "value"`` filter can only match, from an index (None: scan)."""
        if equality is None:
            return None
        attribute, value = equality
        index = {("Users", "userName"): self._user_names, ("Users", "emails.value"): self._emails,
                 ("Groups", "displayName"): self._group_names}.get((resource, attribute))
        if index is None:
            return None
        key = index.get(value.strip().lower())
        table = self.users if resource == "Users" else self.groups
        return [table[key]] if key in table else []

    # -- seeding and persistence ---------------------------------------------------------

    def seed(self, users=0, groups=0, members_per_group=0, prefix="user", domain="example.com"):
        """Add synthetic users and groups fast (no HTTP, same invariants)."""
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
            return {"users": list(self.users.values()), "groups": groups}

    def load(self, data):
        with self.lock:
            self.reset()
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
