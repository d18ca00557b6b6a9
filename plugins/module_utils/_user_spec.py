# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a task declares about one user, validated and normalised the way Slack stores it, and what differs.

Internal to scim.slack; the API may change.  No Ansible imports.  A :class:`UserSpec` checks the options
(before any request), keeps the desired values as Slack would store them, and compares them with a user
Slack answers; the requests that make the change are built by _user_requests.
"""

from __future__ import annotations

import datetime
import unicodedata

from ansible_collections.scim.slack.plugins.module_utils._user_attributes import (
    BLANKLESS_NAMES,
    BY_OPTION,
    LISTS,
    SCALARS,
    canonical_list,
    current_value,
    same_value,
    scim_item,
)
from ansible_collections.scim.slack.plugins.module_utils._user_values import (
    EMAIL,
    ISO_8601,
    MAX_DISPLAY_NAME,
    MAX_USER_NAME,
    URL,
    contains,
    has_emoji,
    is_user_id,
    normalise_user_name,
    parse_instant,
    phone_request_slot,
    slack_primary_emails,
)


NO_OPTIONS = frozenset()


class UserSpecError(ValueError):
    """Invalid input; the message names the option and the value."""


def declared_identity(entry):
    """(kind, value) pairs naming the one user an entry declares (user name as Slack stores it, primary email
    ignoring case, id), read from the entry as given, so that an entry that fails validation counts too."""
    if not isinstance(entry, dict):
        return []
    user_name = entry.get("user_name") if entry.get("user_name") is not None else entry.get("nick_name")
    email = entry.get("email")
    if email is None and isinstance(entry.get("emails"), list):
        values = [e for e in entry["emails"] if isinstance(e, dict) and isinstance(e.get("value"), str)]
        email = next((e["value"] for e in values if e.get("primary")), values[0]["value"] if values else None)
    pairs = [("user_name", normalise_user_name(user_name) if isinstance(user_name, str) and user_name.strip() else None),
             ("email", email.lower() if isinstance(email, str) and email else None),
             ("id", entry.get("id") if isinstance(entry.get("id"), str) and entry.get("id") else None)]
    return [(kind, value) for kind, value in pairs if value is not None]


def duplicate_entries(option, entries):
    """Messages naming every two entries of ``option`` that declare one user; ``entries`` are
    (position, entry as given) pairs."""
    seen, problems = {}, []
    for position, entry in entries:
        for kind, value in declared_identity(entry):
            if (kind, value) in seen:
                problems.append("%s[%d] and %s[%d] both declare %s %r"
                                % (option, seen[(kind, value)], option, position, kind, value))
            else:
                seen[(kind, value)] = position
    return problems


class UserSpec:
    """What the task declares about one user, validated and normalised the way Slack stores it."""

    def __init__(self, params, dialect):
        self.dialect = dialect
        self.params = params
        self.id = params.get("id")
        self.state = params.get("state") or "present"
        self.replace = bool(params.get("replace"))
        self.user_name = None
        self.email = None
        self.desired = {}      # option name -> normalised desired value (only what is managed)
        self.list_values = {}  # option name -> list as it will be sent
        self.extra = params.get("extra_attributes") or {}
        self.profile_url = params.get("profile_url")
        self.external_id = params.get("external_id")
        self.create_only = frozenset(params.get("create_only") or ()) or NO_OPTIONS  # one empty set for 10,000 specs
        self._validate()

    # -- validation ------------------------------------------------------------------------

    def _fail(self, message):
        raise UserSpecError(message)

    def _validate(self):
        params = self.params
        blank = [option for option in BLANKLESS_NAMES
                 if isinstance(params.get(option), str) and params[option] and not params[option].strip()]
        if blank:
            self._fail("%s: only white space, which Slack refuses at the write; leave the option out, or give a "
                       "name" % ", ".join("%s %r" % (option, params[option]) for option in blank))
        if self.id is not None and not is_user_id(self.id):
            self._fail("id %r is not a Slack user ID (U or W followed by 8 to 10 capital letters or digits)"
                       % self.id)
        user_name = params.get("user_name")
        nick_name = params.get("nick_name")
        if user_name is not None and nick_name is not None and \
                normalise_user_name(user_name) != normalise_user_name(nick_name):
            self._fail("nick_name %r and user_name %r differ, but Slack keeps them equal; set only one"
                       % (nick_name, user_name))
        if user_name is None and nick_name is not None:
            user_name = nick_name
        if user_name is not None:
            if "@" in user_name:
                self._fail("user_name %r contains '@': Slack converts such names by undocumented rules; "
                           "give the user name without the domain (and the address as email)" % user_name)
            normalised = normalise_user_name(user_name)
            if not normalised:
                self._fail("user_name %r is empty" % user_name)
            if len(normalised) > MAX_USER_NAME:
                self._fail("user_name %r is %d characters long; Slack allows at most %d"
                           % (user_name, len(normalised), MAX_USER_NAME))
            self.user_name = normalised
            self.desired["user_name"] = normalised
        self._validate_display_name(params.get("display_name"))
        self._validate_emails(params)
        self._validate_formats(params)
        for attribute in SCALARS:
            if attribute.option == "user_name":
                continue
            value = (params.get(attribute.parent) or {}) if attribute.parent else params
            if value.get(attribute.option) is not None:
                self.desired[attribute.option] = value[attribute.option]
        for attribute in LISTS:
            option = attribute.option
            if option != "emails" and params.get(option) is not None:
                items = [scim_item(attribute, item) for item in params[option]]
                if len(items) > attribute.keep:
                    self._fail("%s has %d entries; Slack stores at most %d" % (option, len(items), attribute.keep))
                if option == "phone_numbers":
                    self._validate_phone_slots(items)
                self.list_values[option] = items
                self.desired[option] = canonical_list(attribute, items)
        self._validate_guest(params)
        if self.replace:
            self._declare_blanks()

    def _validate_guest(self, params):
        guest, expiration = params.get("guest"), params.get("guest_expiration")
        if guest is not None:
            self.desired["guest"] = bool(guest)
        if expiration is None:
            return
        if expiration != "":
            parsed = parse_instant(expiration)
            if parsed is None:
                self._fail("guest_expiration %r is not an ISO 8601 date or date-time, for example 2027-03-31 or "
                           "2027-03-31T18:00:00Z" % expiration)
            if guest is False:
                self._fail("guest_expiration %r needs guest: true (guest: false makes a full member, who has "
                           "no expiration)" % expiration)
        self.desired["guest_expiration"] = expiration or None

    def user_name_warning(self):
        """A warning when Slack's rule changes characters of the declared user name (``jürgen`` becomes
        ``j_rgen``), suggesting the name with accents dropped when that spells it; else None."""
        declared = self.params.get("user_name") if self.params.get("user_name") is not None else \
            self.params.get("nick_name")
        if self.user_name is None or declared is None or declared.strip().lower() == self.user_name:
            return None
        folded = normalise_user_name("".join(
            unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode() or "_" for char in declared))
        suggestion = "; to choose the name yourself, give an ASCII one such as %r" % folded \
            if folded != self.user_name else ""
        return ("user_name %r becomes %r: Slack keeps only a-z, 0-9, '.', '_' and '-' and turns every other "
                "character into '_'%s" % (declared, self.user_name, suggestion))

    def past_expiration(self):
        """The declared guest_expiration when it is not in the future (a date alone: not after today, UTC).

        Slack refuses such a value as a new expiration; a guest who already holds it is left alone, so the
        check belongs to planning, once the current value is known."""
        expiration = self.desired.get("guest_expiration")
        parsed = parse_instant(expiration) if expiration else None
        if parsed is None:
            return None
        now = datetime.datetime.now(datetime.timezone.utc)
        return expiration if ((parsed[0].date() <= now.date()) if parsed[1] else parsed[0] <= now) else None

    def _validate_display_name(self, display_name):
        if not display_name:
            return
        if len(display_name) > MAX_DISPLAY_NAME:
            self._fail("display_name %r is %d characters long; Slack allows at most %d"
                       % (display_name, len(display_name), MAX_DISPLAY_NAME))
        if not display_name.strip():
            self._fail("display_name %r is only white space; use \"\" to clear it" % display_name)
        if display_name.startswith("@"):
            self._fail("display_name %r must not start with '@' (Slack: invalid_starts_with_at)" % display_name)
        if "@" in display_name:
            self._fail("display_name %r must not contain '@' (Slack: invalid_name_specials)" % display_name)
        if has_emoji(display_name):
            self._fail("display_name %r contains an emoji; Slack refuses them (invalid_emoji_not_allowed)"
                       % display_name)

    def _validate_phone_slots(self, items):
        """Slack keeps a primary phone and a mobile phone; two entries must not name the same one.

        In a request, ``primary: true`` or ``type: mobile`` names the primary phone, ``primary: false``
        or ``type: work`` the mobile one (Slack's reference: the type means different things in a
        request and in its answer); other entries fill the free one.
        """
        slots = [phone_request_slot(item) for item in items]
        taken = [slot for slot in slots if slot]
        if len(taken) != len(set(taken)):
            self._fail("phone_numbers: both entries name Slack's %s phone (%s), so Slack would keep only one; "
                       "mark one primary: true (or type: mobile) and the other primary: false (or type: work)"
                       % (taken[0], ", ".join(str(item.get("value")) for item in items)))

    def _validate_emails(self, params):
        email = params.get("email")
        emails = params.get("emails")
        if email is not None:
            if not EMAIL.match(email):
                self._fail("email %r is not a valid email address" % email)
            self.email = email
            self.desired["email"] = email.lower()
        if emails is not None:
            primaries = [e.get("value") for e in emails if e.get("primary")]
            if len(primaries) > 1:
                self._fail("emails has %d primary entries (%s); at most one may be primary"
                           % (len(primaries), ", ".join(primaries)))
            if len(emails) > 2:
                self._fail("emails has %d entries; Slack stores at most two (a primary and one more)" % len(emails))
            for entry in emails:
                if not EMAIL.match(entry.get("value") or ""):
                    self._fail("emails: %r is not a valid email address" % entry.get("value"))
            values = [e["value"].lower() for e in emails]
            if len(set(values)) != len(values):
                self._fail("emails lists one address twice")
            items = slack_primary_emails([scim_item(BY_OPTION["emails"], e) for e in emails])
            self.list_values["emails"] = items
            self.desired["emails"] = canonical_list(BY_OPTION["emails"], items)
            self.email = items[0]["value"] if items else None

    def _validate_formats(self, params):
        if params.get("start_date") and not ISO_8601.match(params["start_date"]):
            self._fail("start_date %r is not an ISO 8601 date, for example 2024-04-10T00:00:00+0000"
                       % params["start_date"])
        if params.get("profile_url") and not URL.match(params["profile_url"]):
            self._fail("profile_url %r is not an http(s) URL" % params["profile_url"])
        for photo in params.get("photos") or []:
            value = photo.get("value") or ""
            if not URL.match(value) and not value.startswith("data:"):
                self._fail("photos: %r is neither an http(s) URL nor a data: URL" % value)

    def _declare_blanks(self):
        """replace: every modelled attribute not declared (nor create-only) is to be empty.

        Photos are kept unless declared: Slack re-hosts them, so a PUT cannot send the current one back
        as it was set, and a user's own photo is not the directory's to blank.
        """
        for attribute in SCALARS:
            if attribute.blankable and attribute.option not in self.desired and self.manages(attribute.option):
                self.desired[attribute.option] = None
        for attribute in LISTS:
            if attribute.blankable and attribute.option not in self.desired and self.manages(attribute.option):
                self.desired[attribute.option] = []
                self.list_values[attribute.option] = []

    def manages(self, option):
        """Whether ``option`` is compared and changed on an existing user (not one of create_only)."""
        attribute = BY_OPTION.get(option)
        top = attribute.parent if attribute is not None and attribute.parent else option.split(".", 1)[0]
        return top not in self.create_only

    # -- comparison ------------------------------------------------------------------------

    def current_view(self, resource):
        """The managed attributes of a server resource, normalised like ``desired``."""
        return dict((option, current_value(option, resource, self.dialect)) for option in self.desired)

    def changed_options(self, resource):
        current = self.current_view(resource)
        changed = [option for option, value in self.desired.items()
                   if self.manages(option) and not same_value(option, value, current[option])]
        if "guest_expiration" in changed and self.desired.get("guest") is False:
            changed.remove("guest_expiration")  # a full member has no expiration
        if self.manages("extra_attributes"):
            changed.extend("extra_attributes.%s" % key for key, value in self.extra.items()
                           if not contains((resource or {}).get(key), value))
        return changed
