# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Desired state of one Slack user: validation, Slack's normalisation, the difference, the writes.

Internal to scim.slack; the API may change.  No Ansible imports: the modules feed it their
params and report what it decides, so every module plans a user change the same way.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
from urllib.parse import urlsplit

from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError

# Slack user IDs: U (workspace) or W (org-wide), then 8 to 10 capitals or digits.  Some have no
# digit at all, so an entry of this shape may also be a (capitalised) user name: see member_keys.
USER_ID = re.compile(r"^[UW][A-Z0-9]{8,10}$")
ISO_PARTS = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
                       r"(Z|[+-]\d{2}:?\d{2})?)?$")
ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
URL = re.compile(r"^https?://[^\s/]+\S*$", re.I)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_USER_NAME = 21
MAX_DISPLAY_NAME = 80

# option name -> path in the SCIM resource ("enterprise"/"profile" stand for the dialect's URN)
SCALAR_FIELDS = (
    ("user_name", ("userName",)),
    ("display_name", ("displayName",)),
    ("given_name", ("name", "givenName")),
    ("family_name", ("name", "familyName")),
    ("honorific_prefix", ("name", "honorificPrefix")),
    ("title", ("title",)),
    ("timezone", ("timezone",)),
    ("locale", ("locale",)),
    ("preferred_language", ("preferredLanguage",)),
    ("user_type", ("userType",)),
    ("start_date", ("profile", "startDate")),
    ("active", ("active",)),
)
ENTERPRISE_FIELDS = (
    ("employee_number", ("enterprise", "employeeNumber")),
    ("cost_center", ("enterprise", "costCenter")),
    ("organization", ("enterprise", "organization")),
    ("division", ("enterprise", "division")),
    ("department", ("enterprise", "department")),
    ("manager_id", ("enterprise", "manager", "managerId")),
)
# option name -> (SCIM attribute, {option sub-key: SCIM sub-key}, how many Slack keeps)
LIST_FIELDS = {
    "emails": ("emails", {"value": "value", "type": "type", "primary": "primary"}, 2),
    "phone_numbers": ("phoneNumbers", {"value": "value", "type": "type", "primary": "primary"}, 2),
    "addresses": ("addresses", {"street_address": "streetAddress", "locality": "locality", "region": "region",
                                "postal_code": "postalCode", "country": "country", "primary": "primary"}, 1),
    "photos": ("photos", {"value": "value", "type": "type"}, 1),
    "roles": ("roles", {"value": "value", "type": "type", "primary": "primary", "display": "display"}, 1),
}
# Sub-keys Slack does not store or answers differently from what was sent (phone types are
# inverted, addresses come back without type and primary), so they cannot take part in the comparison.
UNSTORED = {"emails": ("type",), "phone_numbers": ("type", "primary"), "addresses": ("type", "primary"),
            "roles": ("primary",)}  # Slack keeps one role and answers it as the primary one
# Lists whose entries mean nothing without a value: Slack v2 pads them with placeholders such as
# {"value": null, "type": "mobile"} and {"value": null, "primary": true}.
VALUE_LISTS = ("emails", "phone_numbers", "photos", "roles")
# Photo URLs Slack answers when none was set (a gravatar default, or Slack's own default avatar).
DEFAULT_PHOTO_HOSTS = ("gravatar.com",)
DEFAULT_PHOTO_PATH = re.compile(r"/avatars/ava_\d+", re.I)
# Slack refuses emoji in display names (invalid_emoji_not_allowed): pictographs and :shortcodes:.
EMOJI_SHORTCODE = re.compile(r":(?=[a-z0-9_+'-]*[a-z])[a-z0-9_+'-]+:", re.I)
# Unicode's Extended_Pictographic property (emoji-data), plus the regional indicators of flags.
PICTOGRAPHIC_RANGES = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122),
    (0x2139, 0x2139), (0x2194, 0x2199), (0x21A9, 0x21AA), (0x231A, 0x231B), (0x2328, 0x2328),
    (0x2388, 0x2388), (0x23CF, 0x23CF), (0x23E9, 0x23F3), (0x23F8, 0x23FA), (0x24C2, 0x24C2),
    (0x25AA, 0x25AB), (0x25B6, 0x25B6), (0x25C0, 0x25C0), (0x25FB, 0x25FE), (0x2600, 0x2605),
    (0x2607, 0x2612), (0x2614, 0x2685), (0x2690, 0x2705), (0x2708, 0x2712), (0x2714, 0x2714),
    (0x2716, 0x2716), (0x271D, 0x271D), (0x2721, 0x2721), (0x2728, 0x2728), (0x2733, 0x2734),
    (0x2744, 0x2744), (0x2747, 0x2747), (0x274C, 0x274C), (0x274E, 0x274E), (0x2753, 0x2755),
    (0x2757, 0x2757), (0x2763, 0x2767), (0x2795, 0x2797), (0x27A1, 0x27A1), (0x27B0, 0x27B0),
    (0x27BF, 0x27BF), (0x2934, 0x2935), (0x2B05, 0x2B07), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50),
    (0x2B55, 0x2B55), (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299),
    (0x1F000, 0x1F0FF), (0x1F10D, 0x1F10F), (0x1F12F, 0x1F12F), (0x1F16C, 0x1F171), (0x1F17E, 0x1F17F),
    (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A), (0x1F1AD, 0x1F1FF), (0x1F201, 0x1F20F), (0x1F21A, 0x1F21A),
    (0x1F22F, 0x1F22F), (0x1F232, 0x1F23A), (0x1F23C, 0x1F23F), (0x1F249, 0x1F3FA), (0x1F400, 0x1F53D),
    (0x1F546, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F774, 0x1F77F), (0x1F7D5, 0x1F7FF), (0x1F80C, 0x1F80F),
    (0x1F848, 0x1F84F), (0x1F85A, 0x1F85F), (0x1F888, 0x1F88F), (0x1F8AE, 0x1F8FF), (0x1F90C, 0x1F93A),
    (0x1F93C, 0x1F945), (0x1F947, 0x1FAFF), (0x1FC00, 0x1FFFD),
)
# Attributes replace keeps when undeclared: Slack needs them, or always answers one (a user without a
# timezone is answered with the organization's default).
UNBLANKABLE = ("user_name", "active", "timezone")
# Email domain of Slack's bot users.
BOT_EMAIL_DOMAINS = ("slack-bots.com",)
# Names that may be left out or cleared with "", but never be only white space.
BLANKLESS_NAMES = ("user_name", "nick_name", "display_name", "given_name", "family_name", "honorific_prefix")
# Server-side attributes a PUT must not send back.
READ_ONLY = ("meta", "groups", "schemas")
# Options create_only may name: the attributes of a user (enterprise as a whole).
CREATE_ONLY_CHOICES = (
    "user_name", "email", "emails", "display_name", "given_name", "family_name", "honorific_prefix", "title",
    "timezone", "locale", "preferred_language", "user_type", "phone_numbers", "addresses", "photos", "roles",
    "enterprise", "start_date", "guest", "guest_expiration", "extra_attributes",
)
GUEST_TYPE = "multi"  # the only guest type SCIM provisions: multi-channel guests


_ITEM = dict(value=dict(type="str", required=True), type=dict(type="str"))


def is_guest(resource, dialect):
    """Whether a user is a multi-channel guest (carries Slack's guest extension)."""
    extension = (resource or {}).get(dialect.guest_urn)
    return isinstance(extension, dict) and bool(extension.get("type"))


def parse_instant(text):
    """(UTC datetime, date only?) of an ISO 8601 date or date-time, or None when it is not one."""
    match = ISO_PARTS.match(text or "")
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                                   int(second or 0), int((fraction or "0")[:6].ljust(6, "0")))
    except ValueError:
        return None
    offset = datetime.timedelta(0)
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    return (moment - offset).replace(tzinfo=datetime.timezone.utc), hour is None


def expiration_to_send(value):
    """Slack takes an expiration as an ISO 8601 date-time; a date alone means the end of that day, UTC."""
    parsed = parse_instant(value) if value else None
    if parsed is not None and parsed[1]:
        return "%sT23:59:59Z" % parsed[0].date().isoformat()
    return value


def same_instant(left, right):
    """Whether two ISO 8601 values name the same moment (a date alone: the same day)."""
    if is_blank(left) or is_blank(right):
        return is_blank(left) and is_blank(right)
    parsed_left, parsed_right = parse_instant(left), parse_instant(right)
    if parsed_left is None or parsed_right is None:
        return left == right
    if parsed_left[1] or parsed_right[1]:
        return parsed_left[0].date() == parsed_right[0].date()
    return parsed_left[0] == parsed_right[0]


def phone_request_slot(item):
    """Which of Slack's two phone fields a request entry names: "primary", "mobile", or None (either)."""
    kind = str(item.get("type") or "").strip().lower()
    if item.get("primary") is True or kind == "mobile":
        return "primary"
    if item.get("primary") is False or kind == "work":
        return "mobile"
    return None


def is_bot(user):
    """Slack bot accounts: the bot email domain, or userType bot.  Never exported or purged."""
    email = (primary_email(user) or "").lower()
    return email.rsplit("@", 1)[-1] in BOT_EMAIL_DOMAINS or str(user.get("userType") or "").lower() == "bot"


def user_params_from_resource(resource, dialect):
    """The options of slack_scim_user (a slack_scim_sync users entry) that declare ``resource`` as it is.

    Only what Slack stores and the module compares: blanks, placeholders and Slack's default photo are
    left out, list entries keep the keys that are compared, and the manager is its user ID.
    """
    params = {"user_name": resource.get("userName")}
    emails = [e for e in resource.get("emails") or [] if isinstance(e, dict) and e.get("value")]
    if len(emails) == 1:
        params["email"] = emails[0]["value"]
    elif emails:
        params["emails"] = [{"value": e["value"], "primary": e.get("primary") is True} for e in emails]
    for option, path in SCALAR_FIELDS + ENTERPRISE_FIELDS:
        if option in ("user_name", "active"):
            continue
        value = _get(resource, _resolve(path, dialect))
        if not is_blank(value):
            if option in dict(ENTERPRISE_FIELDS):
                params.setdefault("enterprise", {})[option] = value
            else:
                params[option] = value
    for option in ("phone_numbers", "addresses", "photos", "roles"):
        attribute, mapping = LIST_FIELDS[option][:2]
        to_option = {scim: name for name, scim in mapping.items()}
        items = [{to_option[key]: value for key, value in item.items() if key in to_option}
                 for item in _canonical_list(option, resource.get(attribute))]
        if items:
            params[option] = items
    if is_guest(resource, dialect):
        params["guest"] = True
        expiration = resource[dialect.guest_urn].get("expiration")
        if not is_blank(expiration):
            params["guest_expiration"] = expiration
    if not is_blank(resource.get("externalId")):
        params["external_id"] = resource["externalId"]
    return params


def user_argument_spec():
    """The options of slack_scim_user, also the keys of each entry of slack_scim_sync's users."""
    return dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        id=dict(type="str"),
        user_name=dict(type="str"),
        nick_name=dict(type="str"),
        email=dict(type="str"),
        emails=dict(type="list", elements="dict", options=dict(_ITEM, primary=dict(type="bool"))),
        display_name=dict(type="str"),
        given_name=dict(type="str"),
        family_name=dict(type="str"),
        honorific_prefix=dict(type="str"),
        title=dict(type="str"),
        timezone=dict(type="str"),
        locale=dict(type="str"),
        preferred_language=dict(type="str"),
        user_type=dict(type="str"),
        profile_url=dict(type="str"),
        phone_numbers=dict(type="list", elements="dict", options=dict(_ITEM, primary=dict(type="bool"))),
        addresses=dict(type="list", elements="dict", options=dict(
            street_address=dict(type="str"), locality=dict(type="str"), region=dict(type="str"),
            postal_code=dict(type="str"), country=dict(type="str"), primary=dict(type="bool"))),
        photos=dict(type="list", elements="dict", options=dict(_ITEM)),
        roles=dict(type="list", elements="dict",
                   options=dict(_ITEM, primary=dict(type="bool"), display=dict(type="str"))),
        enterprise=dict(type="dict", options=dict(
            employee_number=dict(type="str"), cost_center=dict(type="str"), organization=dict(type="str"),
            division=dict(type="str"), department=dict(type="str"), manager_id=dict(type="str"))),
        start_date=dict(type="str"),
        active=dict(type="bool"),
        extra_attributes=dict(type="dict"),
        guest=dict(type="bool"),
        guest_expiration=dict(type="str"),
        external_id=dict(type="str"),
        create_only=dict(type="list", elements="str", choices=list(CREATE_ONLY_CHOICES)),
        replace=dict(type="bool", default=False),
    )


# Rules between the options above, for AnsibleModule and for slack_scim_sync's entries.
USER_SPEC_RULES = dict(
    mutually_exclusive=[("email", "emails")],
    required_one_of=[("id", "user_name", "nick_name", "email", "emails")],
)


class UserSpecError(ValueError):
    """Invalid input; the message names the option and the value."""


def is_user_id(value):
    """Whether ``value`` has the shape of a Slack user ID (the one rule every plugin uses)."""
    return isinstance(value, str) and USER_ID.match(value) is not None


def has_emoji(text):
    """Whether ``text`` holds an emoji, as a pictograph or as a :shortcode:."""
    for char in text:
        code = ord(char)
        if code >= 0xA9 and any(low <= code <= high for low, high in PICTOGRAPHIC_RANGES):
            return True
    return EMOJI_SHORTCODE.search(text) is not None


def is_default_photo(url):
    """Whether a photo URL is the default Slack answers for a user who has set none."""
    if not isinstance(url, str):
        return True
    host = urlsplit(url).netloc.lower().rsplit("@", 1)[-1].split(":", 1)[0]
    return any(host == h or host.endswith("." + h) for h in DEFAULT_PHOTO_HOSTS) or \
        DEFAULT_PHOTO_PATH.search(url) is not None


def reference_keys(entry):
    """Every reading of a user reference (ID, email or user name, by shape), in the order to try them.

    An entry of the ID shape is tried as an ID first and then as a user name (``WSVCACCOUNT``
    may be either; Slack lower-cases user names, so the second reading is ``wsvcaccount``).
    """
    if "@" in entry:
        return [("email", entry.lower())]
    if is_user_id(entry):
        return [("id", entry), ("user_name", normalise_user_name(entry))]
    return [("user_name", normalise_user_name(entry))]


def normalise_user_name(value):
    """Slack's rule: lower case; anything but letters, digits, '.', '_' and '-' becomes '_'."""
    return re.sub(r"[^a-z0-9._-]", "_", str(value).strip().lower())


def is_blank(value):
    return value is None or value == "" or value == [] or value == {}


def _get(resource, path):
    for key in path:
        if not isinstance(resource, dict):
            return None
        resource = resource.get(key)
    return resource


def _set(resource, path, value):
    for key in path[:-1]:
        if not isinstance(resource.get(key), dict):
            resource[key] = {}
        resource = resource[key]
    resource[path[-1]] = value


def _resolve(path, dialect):
    """A field path with the extension placeholders replaced by the dialect's URNs."""
    head = {"enterprise": dialect.enterprise_urn, "profile": dialect.profile_urn}.get(path[0], path[0])
    return (head,) + tuple(path[1:])


def _clean_item(item):
    """A list entry as compared: blank values and ``primary: false`` carry no information."""
    return {key: value for key, value in item.items()
            if not is_blank(value) and not (key == "primary" and value is False)}


def _canonical_list(option, items):
    """A list attribute as compared: what Slack stores of each entry, in a stable order.

    Placeholders (entries without a value, addresses with every field blank) are no entries,
    and a photo is only "a photo" (Slack re-hosts it): its URL is kept for the diff only.
    """
    unstored = UNSTORED.get(option, ())
    cleaned = []
    for item in items or []:
        if not isinstance(item, dict):
            item = {"value": item}
        item = _clean_item({key: value for key, value in item.items() if key not in unstored})
        if option in VALUE_LISTS and is_blank(item.get("value")):
            continue
        if option == "photos":
            if is_default_photo(item.get("value")):
                continue
            item = {"value": item["value"]}
        if option == "emails":
            item["value"] = str(item["value"]).lower()
        if item:
            cleaned.append(item)
    return sorted(cleaned, key=lambda entry: json.dumps(entry, sort_keys=True))


def _same_value(option, desired, current):
    """Whether a desired and a current value (both canonical) are what Slack would store alike."""
    if option == "photos":
        return bool(desired) == bool(current)
    if option == "guest_expiration":
        return same_instant(desired, current)
    return _blank_to_none(desired) == _blank_to_none(current)


def slack_primary_emails(emails):
    """Slack keeps two emails: the primary (primary: true, else type work, else first) and one more."""
    items = [dict(item) for item in emails or [] if item.get("value")]
    if not items:
        return []
    primary = next((i for i in items if i.get("primary") is True), None) or \
        next((i for i in items if str(i.get("type") or "").lower() == "work"), None) or items[0]
    result = [dict(primary, primary=True)]
    result.extend(dict(i, primary=False) for i in items
                  if i is not primary and i["value"].lower() != primary["value"].lower())
    return result[:2]


def primary_email(resource):
    emails = [e for e in (resource or {}).get("emails") or [] if isinstance(e, dict) and e.get("value")]
    for entry in emails:
        if entry.get("primary") is True:
            return entry["value"]
    return emails[0]["value"] if emails else None


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
        self.create_only = set(params.get("create_only") or ())
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
        for option, _path in SCALAR_FIELDS:
            if option not in ("user_name",) and params.get(option) is not None:
                self.desired[option] = params[option]
        enterprise = params.get("enterprise") or {}
        for option, _path in ENTERPRISE_FIELDS:
            if enterprise.get(option) is not None:
                self.desired[option] = enterprise[option]
        for option in ("phone_numbers", "addresses", "photos", "roles"):
            if params.get(option) is not None:
                items = [self._scim_item(option, item) for item in params[option]]
                keep = LIST_FIELDS[option][2]
                if len(items) > keep:
                    self._fail("%s has %d entries; Slack stores at most %d" % (option, len(items), keep))
                if option == "phone_numbers":
                    self._validate_phone_slots(items)
                self.list_values[option] = items
                self.desired[option] = _canonical_list(option, items)
        if not isinstance(self.extra, dict):
            self._fail("extra_attributes must be a dict of SCIM attributes")
        self._validate_guest(params)
        unknown = sorted(self.create_only - set(CREATE_ONLY_CHOICES))
        if unknown:
            self._fail("create_only: %s is not an attribute option (choose from %s)"
                       % (", ".join(unknown), ", ".join(CREATE_ONLY_CHOICES)))
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
            now = datetime.datetime.now(datetime.timezone.utc)
            if (parsed[0].date() <= now.date()) if parsed[1] else parsed[0] <= now:
                self._fail("guest_expiration %r is not in the future" % expiration)
            if guest is False:
                self._fail("guest_expiration %r needs guest: true (guest: false makes a full member, who has "
                           "no expiration)" % expiration)
        self.desired["guest_expiration"] = expiration or None

    def manages(self, option):
        """Whether ``option`` is compared and changed on an existing user (not one of create_only)."""
        top = "enterprise" if option in dict(ENTERPRISE_FIELDS) else option.split(".", 1)[0]
        return top not in self.create_only

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
            items = slack_primary_emails([self._scim_item("emails", e) for e in emails])
            self.list_values["emails"] = items
            self.desired["emails"] = _canonical_list("emails", items)
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

    @staticmethod
    def _scim_item(option, item):
        mapping = LIST_FIELDS[option][1]
        return {mapping[key]: value for key, value in item.items() if value is not None and key in mapping}

    def _declare_blanks(self):
        """replace: every modelled attribute not declared (nor create-only) is to be empty."""
        for option, _path in SCALAR_FIELDS + ENTERPRISE_FIELDS:
            if option not in self.desired and option not in UNBLANKABLE and self.manages(option):
                self.desired[option] = None
        # Photos are kept unless declared: Slack re-hosts them, so a PUT cannot send the current one back
        # as it was set, and a user's own photo is not the directory's to blank.
        for option in ("phone_numbers", "addresses", "roles"):
            if option not in self.desired and self.manages(option):
                self.desired[option] = []
                self.list_values[option] = []

    # -- comparison ------------------------------------------------------------------------

    def current_view(self, resource):
        """The managed attributes of a server resource, normalised like ``desired``."""
        view = {}
        for option in self.desired:
            view[option] = self._current_value(option, resource)
        return view

    def _current_value(self, option, resource):
        if option == "guest":
            return is_guest(resource, self.dialect)
        if option == "guest_expiration":
            extension = (resource or {}).get(self.dialect.guest_urn)
            return _blank_to_none(extension.get("expiration")) if isinstance(extension, dict) else None
        if option == "email":
            value = primary_email(resource)
            return value.lower() if value else None
        if option in LIST_FIELDS:
            return _canonical_list(option, (resource or {}).get(LIST_FIELDS[option][0]))
        path = dict(SCALAR_FIELDS + ENTERPRISE_FIELDS)[option]
        value = _get(resource, _resolve(path, self.dialect))
        if option == "user_name" and value:
            return normalise_user_name(value)
        if option == "active":
            return bool(value)
        return _blank_to_none(value)

    def changed_options(self, resource):
        current = self.current_view(resource)
        changed = [option for option, value in self.desired.items()
                   if self.manages(option) and not _same_value(option, value, current[option])]
        if "guest_expiration" in changed and self.desired.get("guest") is False:
            changed.remove("guest_expiration")  # a full member has no expiration
        if self.manages("extra_attributes"):
            changed.extend("extra_attributes.%s" % key for key, value in self.extra.items()
                           if not _contains((resource or {}).get(key), value))
        return changed

    def diff_view(self, values):
        """Nested, sorted, user-facing before/after for diff mode."""
        view = {}
        enterprise_options = dict(ENTERPRISE_FIELDS)
        for option, value in sorted(values.items()):
            if option in enterprise_options:
                view.setdefault("enterprise", {})[option] = value
            else:
                view[option] = value
        return view

    # -- building requests -----------------------------------------------------------------

    def patch_for(self, resource, changed):
        """The partial resource that brings ``resource`` to the desired state."""
        partial = {}
        for option in changed:
            if option.startswith("extra_attributes."):
                key = option.split(".", 1)[1]
                partial[key] = copy.deepcopy(self.extra[key])
            elif option == "email":
                others = [dict(e, primary=False) for e in (resource or {}).get("emails") or []
                          if e.get("value") and e["value"].lower() != self.email.lower() and not e.get("primary")]
                partial["emails"] = [{"value": self.email, "primary": True}] + [
                    {"value": e["value"], "primary": False} for e in others][:1]
            elif option in LIST_FIELDS:
                partial[LIST_FIELDS[option][0]] = copy.deepcopy(self.list_values[option])
            elif option in ("guest", "guest_expiration"):
                partial[self.dialect.guest_urn] = self._guest_extension(resource)
            elif option == "manager_id" and is_blank(self.desired[option]):
                _set(partial, _resolve(("enterprise", "manager"), self.dialect), None)
            else:
                path = _resolve(dict(SCALAR_FIELDS + ENTERPRISE_FIELDS)[option], self.dialect)
                value = self.desired[option]
                _set(partial, path, None if is_blank(value) else value)
        return partial

    def _guest_extension(self, resource):
        """The guest extension to send: None makes a full member; otherwise type and expiration."""
        if self.desired.get("guest") is False:
            return None
        extension = {"type": GUEST_TYPE}
        if "guest_expiration" in self.desired:
            extension["expiration"] = expiration_to_send(self.desired["guest_expiration"])
        elif resource is not None and is_guest(resource, self.dialect):
            current = resource[self.dialect.guest_urn].get("expiration")
            if not is_blank(current):
                extension["expiration"] = current
        return extension

    def create_body(self):
        body = {"userName": self.user_name, "emails": self._emails_to_send(None), "active": True}
        _merge(body, self.patch_for(None, [o for o in self.desired if o not in ("user_name", "email", "emails")]))
        _drop_nones(body)
        if self.profile_url:
            body["profileUrl"] = self.profile_url
        if self.external_id:
            body["externalId"] = self.external_id
        for key, value in self.extra.items():
            body[key] = copy.deepcopy(value)
        return body

    def _emails_to_send(self, resource):
        if resource is not None and not (self.manages("email") and self.manages("emails")):
            return copy.deepcopy(resource.get("emails") or [])
        if "emails" in self.list_values:
            return copy.deepcopy(self.list_values["emails"])
        if self.email:
            return [{"value": self.email, "primary": True}]
        return copy.deepcopy((resource or {}).get("emails") or [])

    def put_body(self, resource):
        """replace: the full declared resource.

        Slack blanks whatever a PUT omits, so the body starts from the current user: what the
        collection does not model (the guest extension, externalId, profileUrl, an undeclared
        photo) is carried as it is, and only the modelled attributes take their declared values.
        """
        body = {key: copy.deepcopy(value) for key, value in resource.items() if key not in READ_ONLY}
        user_name = self.user_name if self.manages("user_name") else None
        body.update({"id": resource["id"], "userName": user_name or resource.get("userName"),
                     "emails": self._emails_to_send(resource)})
        body["nickName"] = body["userName"]
        body["active"] = self.desired.get("active", bool(resource.get("active")))
        partial = self.patch_for(resource, [o for o in self.desired if o not in ("user_name", "email", "emails")
                                            and self.manages(o)])
        _merge(body, partial, remove_nones=True)
        for option in VALUE_LISTS:  # v2 placeholders and Slack's default photo are not sent back
            attribute = LIST_FIELDS[option][0]
            if attribute in body and option not in self.list_values:
                body[attribute] = [item for item in body[attribute] or [] if isinstance(item, dict)
                                   and not is_blank(item.get("value"))
                                   and not (option == "photos" and is_default_photo(item["value"]))]
        _drop_nones(body)
        if self.manages("extra_attributes"):
            for key, value in self.extra.items():
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


def _blank_to_none(value):
    return None if is_blank(value) else value


def _contains(current, wanted):
    """extra_attributes: every given key (recursively) matches; blanks equal absence."""
    if isinstance(wanted, dict):
        current = current if isinstance(current, dict) else {}
        return all(_contains(current.get(key), value) for key, value in wanted.items())
    if is_blank(wanted):
        return is_blank(current)
    if isinstance(wanted, list) and isinstance(current, list):
        def key(items):
            return sorted(json.dumps(_clean_item(i) if isinstance(i, dict) else i, sort_keys=True) for i in items)
        return key(wanted) == key(current)
    return current == wanted


class UserOutcome:
    """What converging one user does (or, in check mode, would do).

    ``write`` is the one request that makes the change: ``("create", body)``,
    ``("patch", id, partial)``, ``("put", body)``, ``("delete", id)``, or ``None``.
    """

    def __init__(self, action, user, before=None, after=None, changed_attributes=(), warnings=(), write=None):
        self.action = action  # create, update, replace, reactivate, deactivate or None
        self.user = user
        self.before = before if before is not None else {}
        self.after = after if after is not None else {}
        self.changed_attributes = list(changed_attributes)
        self.warnings = list(warnings)
        self.write = write

    @property
    def changed(self):
        return self.action is not None


class ClientFinder:
    """Finds users with one request each (the single-user module)."""

    def __init__(self, client):
        self.client = client

    def by_id(self, user_id):
        return self.client.get_user(user_id)

    def by_user_name(self, user_name):
        return self.client.find_user_by_user_name(user_name)

    def by_email(self, email):
        return self.client.find_user_by_email(email)

    def by_reference(self, entry):
        return find_by_reference(self, entry)


def find_by_reference(finder, entry):
    """The user an ID, email or user name names, through ``finder``'s by_id/by_email/by_user_name, or None.

    An ID-shaped entry is tried as an ID, then as a user name (see reference_keys).
    """
    finders = {"id": finder.by_id, "email": finder.by_email, "user_name": finder.by_user_name}
    for kind, value in reference_keys(entry):
        user = finders[kind](value)
        if user is not None:
            return user
    return None


def find_user(finder, spec):
    """The user the spec names: by id; else by user name, then by email.  ``None`` if nobody."""
    if spec.id:
        return finder.by_id(spec.id)
    user = finder.by_user_name(spec.user_name) if spec.user_name else None
    if user is None and spec.email:
        user = finder.by_email(spec.email)
    return user


def plan_user(finder, spec, current=None, looked_up=False, check_mode=False):
    """Decide, from the current state only, what bringing one user to ``spec`` takes."""
    if not looked_up:
        current = find_user(finder, spec)
    if current is not None:
        _check_one_account(finder, spec, current)
    if spec.state == "absent":
        return _plan_deactivation(current)
    pending = _resolve_manager(finder, spec, current, check_mode)
    if current is None:
        if spec.id:
            raise UserSpecError("no user has id %s; a new user cannot be given an id, omit id to create one" % spec.id)
        outcome = _plan_creation(spec)
    else:
        outcome = _plan_update(finder, spec, current)
    if pending:
        outcome.warnings.append(pending)
    return outcome


def _check_one_account(finder, spec, current):
    """Fail when the declared user_name and email are held by two different users.

    Only asked when the email is not already one of the found user's, so an unchanged user
    costs no request for it.
    """
    if spec.id or not spec.email or not spec.user_name:
        return
    emails = {str(e.get("value")).lower() for e in current.get("emails") or [] if isinstance(e, dict)}
    if spec.email.lower() in emails:
        return
    holder = finder.by_email(spec.email)
    if holder is not None and holder.get("id") != current.get("id"):
        raise UserSpecError(
            "user_name %r is user %s, but email %r belongs to another user, %s (%s); "
            "they cannot both be this user" % (spec.user_name, current.get("id"), spec.email,
                                               holder.get("id"), holder.get("userName")))


def _resolve_manager(finder, spec, current, check_mode=False):
    """enterprise.manager_id as Slack stores it: the manager's user ID, whichever way it was given.

    An ID equal to the current manager costs nothing; any other reference is looked up once.  In
    check mode a manager no user answers yet (one an earlier task of the run would create) is shown
    as to be resolved, and the warning to show is returned; the real run still fails on it.
    """
    reference = spec.desired.get("manager_id")
    if is_blank(reference):
        return None
    if reference == _get(current, _resolve(dict(ENTERPRISE_FIELDS)["manager_id"], spec.dialect)):
        return None
    manager = finder.by_reference(reference)
    if (manager is None or not manager.get("id")) and check_mode:
        spec.desired["manager_id"] = "%s (to be resolved)" % reference
        return ("check mode: enterprise.manager_id %r names no user yet; shown as to be resolved (an earlier task "
                "of this run may create it). The real run fails if it is still missing" % reference)
    if manager is None or not manager.get("id"):
        raise UserSpecError("enterprise.manager_id %r names no user (give a user ID, email or user name of an "
                            "existing user)" % reference)
    spec.desired["manager_id"] = manager["id"]


def apply_user(client, spec, outcome):
    """Send the write of a plan.  A create that meets an existing account converges that account."""
    if outcome.write is None:
        return outcome
    kind = outcome.write[0]
    if kind == "delete":
        client.delete_user(outcome.write[1])
    elif kind == "patch":
        outcome.user = client.patch_user(outcome.write[1], outcome.write[2]) or outcome.user
    elif kind == "put":
        outcome.user = client.update_user(outcome.write[1])
    else:
        return _apply_creation(client, spec, outcome)
    return outcome


def converge_user(client, spec, check_mode=False):
    """Plan one user with one read, then (unless in check mode) send the one write it needs."""
    outcome = plan_user(ClientFinder(client), spec, check_mode=check_mode)
    return outcome if check_mode else apply_user(client, spec, outcome)


def _plan_deactivation(current):
    if current is None or not current.get("active"):
        return UserOutcome(None, current)
    name = current.get("userName")
    return UserOutcome("deactivate", dict(current, active=False), {"user_name": name, "active": True},
                       {"user_name": name, "active": False}, ["active"], write=("delete", current["id"]))


def _plan_creation(spec):
    if spec.desired.get("guest_expiration") and not spec.desired.get("guest"):
        raise UserSpecError("guest_expiration %r needs guest: true to create a multi-channel guest"
                            % spec.desired["guest_expiration"])
    missing = [option for option, value in (("user_name", spec.user_name), ("email", spec.email)) if not value]
    if missing:
        raise UserSpecError("no user matches %s, and creating one needs %s" % (
            _identity(spec), " and ".join("email (or emails)" if m == "email" else m for m in missing)))
    body = spec.create_body()
    after = spec.diff_view(dict((option, value) for option, value in spec.desired.items() if not is_blank(value)))
    predicted = dict(copy.deepcopy(body), id=None, nickName=spec.user_name)
    return UserOutcome("create", predicted, {}, after, sorted(spec.desired), write=("create", body))


def _apply_creation(client, spec, outcome):
    """POST the user; on a conflict or a lost answer, find the account that exists instead."""
    body = outcome.write[1]
    try:
        outcome.user = client.create_user(body)
        return outcome
    except ScimError as exc:
        lost_answer = exc.status is None and exc.request_sent
        if not exc.is_conflict and not lost_answer:
            raise
        existing = client.get_user(exc.existing_user) if exc.existing_user else find_user(ClientFinder(client), spec)
        if existing is None and lost_answer:
            outcome.user = client.create_user(body)  # the first POST provably did not apply
            return outcome
        if existing is None:
            raise ScimError(
                "%s: Slack refused to create user %s (%s), and no account with that user name or email is "
                "visible to this token. The name or address is held by another account, possibly deactivated "
                "or a channel name; find it in the Slack admin console, then reactivate it (active: true) or "
                "free the name" % (exc.error, spec.user_name, spec.email),
                status=exc.status, method=exc.method, path=exc.path, error=exc.error, detail=exc.detail)
    # An account exists after all: converge it.  After a lost answer it is the one this POST made.
    converged = apply_user(client, spec, plan_user(ClientFinder(client), spec, existing, looked_up=True))
    if lost_answer:
        converged.action = "create"
        converged.before, converged.after = outcome.before, outcome.after
        converged.changed_attributes = outcome.changed_attributes
    return converged


def _identity(spec):
    parts = []
    if spec.user_name:
        parts.append("user_name %r" % spec.user_name)
    if spec.email:
        parts.append("email %r" % spec.email)
    return " or ".join(parts) or "the given identity"


def _plan_update(finder, spec, current):
    warnings = []
    changed = spec.changed_options(current)
    if "user_name" in changed and not spec.id and spec.email:
        warnings.append("user %s was found by email %s; its user name %r becomes %r"
                        % (current.get("id"), spec.email, current.get("userName"), spec.user_name))
    if spec.external_id and (current.get("externalId") or "") != spec.external_id:
        warnings.append("external_id: Slack does not update externalId; user %s keeps %r (the task declares %r)"
                        % (current.get("id"), current.get("externalId") or "", spec.external_id))
    if "guest_expiration" in changed and "guest" not in spec.desired and not is_guest(current, spec.dialect):
        if spec.desired["guest_expiration"] is None:
            changed.remove("guest_expiration")
        else:
            raise UserSpecError("guest_expiration %r: user %s (%s) is a full member; set guest: true to make it a "
                                "multi-channel guest" % (spec.desired["guest_expiration"], current.get("id"),
                                                         current.get("userName")))
    if "guest" in changed and not current.get("active"):
        warnings.append("user %s (%s) is deactivated; Slack reactivates a user whose guest status changes"
                        % (current.get("id"), current.get("userName")))
    if not current.get("active") and "active" not in spec.desired:
        warnings.append("user %s (%s) is deactivated; set active: true to reactivate it"
                        % (current.get("id"), current.get("userName")))
    if not changed:
        return UserOutcome(None, current, warnings=warnings)
    before_values = spec.current_view(current)
    after_values = dict(before_values)
    after_values.update({option: spec.desired[option] for option in changed if option in spec.desired})
    before = spec.diff_view({o: v for o, v in before_values.items() if o in changed})
    after = spec.diff_view({o: v for o, v in after_values.items() if o in changed})
    for key in (option.split(".", 1)[1] for option in changed if option.startswith("extra_attributes.")):
        before.setdefault("extra_attributes", {})[key] = current.get(key)
        after.setdefault("extra_attributes", {})[key] = spec.extra[key]
    if spec.replace:
        body = spec.put_body(current)
        return UserOutcome("replace", dict(body, nickName=body["userName"]), before, after, changed, warnings,
                           write=("put", body))
    partial = spec.patch_for(current, changed)
    action = "reactivate" if changed == ["active"] and spec.desired["active"] else "update"
    predicted = predict(current, partial)
    if "guest" in changed and "active" not in spec.desired:
        predicted["active"] = True  # Slack reactivates a user converted to or from a guest
    return UserOutcome(action, predicted, before, after, changed, warnings,
                       write=("patch", current["id"], partial))
