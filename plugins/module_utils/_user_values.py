# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Slack's rules for the values of a user: IDs and names, emails, photos, instants, emoji, paths.

Internal to scim.slack; the API may change.  No Ansible imports and no attribute table: the plain rules
that validation, comparison, request building and the other plugins (groups, info, sync) share.
"""

from __future__ import annotations

import datetime
import json
import re
from urllib.parse import urlsplit

# Slack user IDs: U (workspace) or W (org-wide), then 8 to 10 capitals or digits.  Some have no
# digit at all, so an entry of this shape may also be a (capitalised) user name: see reference_keys.
USER_ID = re.compile(r"^[UW][A-Z0-9]{8,10}$")
# Digits are ASCII: \d would take any Unicode digit (full-width ones too), which Slack refuses.
ISO_PARTS = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?"
                       r"(Z|[+-][0-9]{2}:?[0-9]{2})?)?$")
ISO_8601 = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$")
URL = re.compile(r"^https?://[^\s/]+\S*$", re.I)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_USER_NAME = 21
MAX_DISPLAY_NAME = 80
# Photo URLs Slack answers when none was set (a gravatar default, or Slack's own default avatar).
DEFAULT_PHOTO_HOSTS = ("gravatar.com",)
DEFAULT_PHOTO_PATH = re.compile(r"/avatars/ava_[0-9]+", re.I)
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
# Email domain of Slack's bot users.
BOT_EMAIL_DOMAINS = ("slack-bots.com",)
GUEST_TYPE = "multi"  # the only guest type SCIM provisions: multi-channel guests


def is_user_id(value):
    """Whether ``value`` has the shape of a Slack user ID (the one rule every plugin uses)."""
    return isinstance(value, str) and USER_ID.match(value) is not None


def folded(value):
    """Slack's rule for names and emails: they compare case-insensitively (docs/emulator.md)."""
    return str(value).casefold()


def same_text(left, right):
    """Whether two names or emails are the same to Slack; a value that is no string matches nothing."""
    return isinstance(left, str) and isinstance(right, str) and folded(left) == folded(right)


def normalise_user_name(value):
    """Slack's rule: lower case; anything but letters, digits, '.', '_' and '-' becomes '_'."""
    return re.sub(r"[^a-z0-9._-]", "_", str(value).strip().lower())


def reference_keys(entry):
    """Every reading of a user reference (ID, email or user name, by shape), in the order to try them.

    An entry of the ID shape is tried as an ID first and then as a user name (``WSVCACCOUNT``
    may be either; Slack lower-cases user names, so the second reading is ``wsvcaccount``).
    """
    if "@" in entry:
        # Lower case, as Slack stores emails: the value goes into Slack's filter, whose folding of characters such
        # as "ß" is unknown, and every answer is compared with ``same_text``.
        return [("email", entry.lower())]
    if is_user_id(entry):
        return [("id", entry), ("user_name", normalise_user_name(entry))]
    return [("user_name", normalise_user_name(entry))]


def is_blank(value):
    """Whether Slack treats ``value`` as no value (None, "", [], {})."""
    return value is None or value == "" or value == [] or value == {}


def blank_to_none(value):
    return None if is_blank(value) else value


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


def phone_request_slot(item):
    """Which of Slack's two phone fields a request entry names: "primary", "mobile", or None (either)."""
    kind = str(item.get("type") or "").strip().lower()
    if item.get("primary") is True or kind == "mobile":
        return "primary"
    if item.get("primary") is False or kind == "work":
        return "mobile"
    return None


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


def is_guest(resource, dialect):
    """Whether a user is a multi-channel guest (carries Slack's guest extension)."""
    extension = (resource or {}).get(dialect.guest_urn)
    return isinstance(extension, dict) and bool(extension.get("type"))


def is_bot(user):
    """Slack bot accounts: the bot email domain, or userType bot.  Never exported or purged."""
    email = (primary_email(user) or "").lower()
    return email.rsplit("@", 1)[-1] in BOT_EMAIL_DOMAINS or str(user.get("userType") or "").lower() == "bot"


def get_path(resource, path):
    for key in path:
        if not isinstance(resource, dict):
            return None
        resource = resource.get(key)
    return resource


def set_path(resource, path, value):
    for key in path[:-1]:
        if not isinstance(resource.get(key), dict):
            resource[key] = {}
        resource = resource[key]
    resource[path[-1]] = value


def resolve_path(path, dialect):
    """A field path with the extension placeholders replaced by the dialect's URNs."""
    head = {"enterprise": dialect.enterprise_urn, "profile": dialect.profile_urn,
            "guest": dialect.guest_urn}.get(path[0], path[0])
    return (head,) + tuple(path[1:])


def clean_item(item):
    """A list entry as compared: blank values and ``primary: false`` carry no information."""
    return {key: value for key, value in item.items()
            if not is_blank(value) and not (key == "primary" and value is False)}


def contains(current, wanted):
    """extra_attributes: every given key (recursively) matches; blanks equal absence."""
    if isinstance(wanted, dict):
        current = current if isinstance(current, dict) else {}
        return all(contains(current.get(key), value) for key, value in wanted.items())
    if is_blank(wanted):
        return is_blank(current)
    if isinstance(wanted, list) and isinstance(current, list):
        def key(items):
            return sorted(json.dumps(clean_item(i) if isinstance(i, dict) else i, sort_keys=True) for i in items)
        return key(wanted) == key(current)
    return current == wanted
