# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every option of a user, declared once: the table the argspec, the docs, comparison and requests read.

Internal to scim.slack; the API may change.  No Ansible imports.  One :class:`Attribute` row per option of
slack_scim_user (and of each slack_scim_sync users entry) carries its spec and documentation, its SCIM path,
how Slack stores and compares it, and whether create_only may name it and replace blanks it.  From the table
come ``user_argument_spec()``, ``CREATE_ONLY_CHOICES``, the documented options (``option_docs()``, written
into the modules by hacking/option_docs.py), a resource read as options (``current_value``, the export
``user_params_from_resource``) and the diff view.  Adding an attribute: add a row (and its emulator field).
"""

from __future__ import annotations

import json
from collections import namedtuple

from ansible_collections.scim.slack.plugins.module_utils._user_values import (
    blank_to_none,
    clean_item,
    get_path,
    is_blank,
    is_default_photo,
    is_guest,
    normalise_user_name,
    primary_email,
    resolve_path,
    same_instant,
)


def _stored_user_name(value):
    """Slack answers user names as it normalises them."""
    return normalise_user_name(value) if value else blank_to_none(value)


def _same_plain(desired, current):
    """Equal, a blank equal to absence."""
    return blank_to_none(desired) == blank_to_none(current)


def _same_presence(desired, current):
    """Photos: Slack re-hosts them and answers a default one, so only whether the user has one compares."""
    return bool(desired) == bool(current)


def _email_entry(item):
    """Emails compare ignoring case."""
    return dict(item, value=str(item["value"]).lower())


def _photo_entry(item):
    """A photo is only "a photo" (Slack re-hosts it): its URL is kept for the diff; Slack's default is none."""
    return None if is_default_photo(item.get("value")) else {"value": item["value"]}


# One option.  Spec and docs: ``type`` ... ``description`` (a text, or a tuple of paragraphs).  ``kind``:
#   control    not an attribute of the user (state, id, create_only, replace)
#   scalar     one value at ``path``; ``parent`` names the dict option holding it (enterprise)
#   alias      another name of an attribute (nick_name: user_name)
#   email      the primary email
#   list       a multi-valued attribute at ``path``: entries of ``keys``, at most ``keep`` of them
#   extension  a dict option whose suboptions are the rows naming it as ``parent``
#   guest      part of Slack's guest extension (a request sends the extension whole)
#   create     sent when the user is created only (Slack does not update it)
#   raw        SCIM attributes merged as given (extra_attributes)
# A ``path`` starts with the SCIM attribute, or a placeholder for the dialect's URN: enterprise, profile, guest.
# How Slack stores and compares it: ``read`` normalises the value Slack answers, ``same`` tells whether a desired
# and a current value are stored alike; list entries lose the sub-keys in ``unstored`` (Slack does not store them
# or answers them differently), blank entries, and pass ``entry`` (None drops one).  ``clear_path``: what a
# PATCH sets to null to blank the value, when not ``path`` itself.  ``create_only``: create_only may name it.
# ``blankable``: replace blanks it when undeclared (Slack needs user_name and active, and always answers a
# timezone; photos are the user's own).  ``name``: a name, which may be "" but never only white space.
Attribute = namedtuple("Attribute", (
    "option", "type", "elements", "choices", "default", "required", "version_added", "description",
    "kind", "path", "parent", "keys", "keep", "unstored", "entry", "read", "same", "clear_path",
    "create_only", "blankable", "name"),
    defaults=(None, None, None, False, None, None, "control", None, None, (), None, (), None, blank_to_none,
              _same_plain, None, False, False, False))
# One sub-key of a list entry: the option's name, the SCIM name, spec and docs.
Key = namedtuple("Key", "option scim type elements choices default required version_added description",
                 defaults=(None, None, None, False, None, None))


def _entry_keys(value, kind, primary=None):
    """The keys most list entries have: a value, its kind, and (when described) whether it is the primary one."""
    keys = (Key("value", "value", type="str", required=True, description=value),
            Key("type", "type", type="str", description=kind))
    return keys + ((Key("primary", "primary", type="bool", description=primary),) if primary else ())


def _profile(option, path, **more):
    """A text of the user's profile: create_only may name it, replace blanks it."""
    return Attribute(option, type="str", kind="scalar", path=path, create_only=True, blankable=True, **more)


def _enterprise(option, path, **more):
    """A text of the enterprise extension (create_only names the extension as a whole)."""
    return Attribute(option, type="str", kind="scalar", parent="enterprise", path=("enterprise",) + path,
                     blankable=True, **more)


ATTRIBUTES = (
    Attribute(
        "state", type="str", choices=('present', 'absent'), default='present', kind="control",
        description=("V(present) creates the user if needed and sets the given attributes. It does not change "
                     "whether the user is active unless O(active) is given; a deactivated user it finds is that "
                     "user (converged, not created again), with a warning.",
                     "V(absent) deactivates the user. A user that is already inactive, or not found, is left "
                     "alone.",)),
    Attribute(
        "id", type="str", kind="control",
        description=("The Slack user ID (V(U...) or V(W...)). When given, the user is found by it, and "
                     "O(user_name) and O(email) are attributes to set.")),
    Attribute(
        "user_name", type="str",
        kind="scalar", path=("userName",), create_only=True, name=True, read=_stored_user_name,
        description=("The Slack user name (C(userName)); at most 21 characters after Slack's normalisation (lower "
                     "case; characters other than letters, digits, V(.), V(_) and V(-) become V(_)).",
                     "Must not contain V(@). Slack converts an email address given as user name by undocumented "
                     "rules, so the module refuses it rather than guess the result; give the address as O(email).",
                     "Without O(id), the user is found by this name, then by O(email) if the name finds nobody. A "
                     "user found by email whose name differs is renamed.",
                     "Required to create a user.",)),
    Attribute(
        "nick_name", type="str", kind="alias", name=True,
        description=("Slack keeps C(nickName) equal to C(userName); setting one sets both. Give this only instead "
                     "of O(user_name), or with the same value.")),
    Attribute(
        "email", type="str", kind="email", create_only=True,
        description=("The primary email address. Used to find the user when O(user_name) finds nobody.",
                     "Required (or O(emails)) to create a user.",
                     "If O(user_name) and O(email) are held by two different users, the task fails naming both.",)),
    Attribute(
        "emails", type="list", elements="dict",
        kind="list", path=("emails",), keep=2, unstored=("type",), create_only=True, entry=_email_entry,
        keys=_entry_keys("The address.",
                         "The kind of address, for example V(work). Slack does not store it.",
                         "Whether this is the primary address."),
        description=("All email addresses, at most two (Slack stores a primary and one more). The primary is the "
                     "entry with O(emails[].primary=true), else the one of O(emails[].type=work), else the first.")),
    _profile("display_name", ("displayName",), name=True,
             description=("The display name; at most 80 characters, without V(@) (Slack answers "
                          "C(invalid_name_specials), or C(invalid_starts_with_at) for a leading one) and without "
                          "emoji, either as pictographs or as C(:shortcode:) text (C(invalid_emoji_not_allowed)). "
                          "These are checked before any request.",
                          "Slack rejects changes when members may edit their own display name "
                          "(C(invalid_display_name)).",)),
    _profile("given_name", ("name", "givenName"), name=True,
             description="The first name (C(name.givenName))."),
    _profile("family_name", ("name", "familyName"), name=True,
             description="The last name (C(name.familyName))."),
    _profile("honorific_prefix", ("name", "honorificPrefix"), name=True,
             description="The honorific prefix (C(name.honorificPrefix))."),
    _profile("title", ("title",),
             description="The job title."),
    Attribute(
        "timezone", type="str", kind="scalar", path=("timezone",), create_only=True,
        description="The time zone, for example V(America/New_York)."),
    _profile("locale", ("locale",),
             description="The locale, for example V(en-US)."),
    _profile("preferred_language", ("preferredLanguage",),
             description="The preferred language, for example V(en_US)."),
    _profile("user_type", ("userType",),
             description="The user type, for example V(Employee)."),
    Attribute(
        "profile_url", type="str", kind="create", path=("profileUrl",),
        description="The profile URL, sent only when the user is created (Slack does not update it)."),
    Attribute(
        "phone_numbers", type="list", elements="dict",
        kind="list", path=("phoneNumbers",), keep=2, unstored=("type", "primary"), create_only=True, blankable=True,
        keys=_entry_keys("The number.",
                         "The kind of number, for example V(mobile) or V(work).",
                         "Whether this is the primary number."),
        description=("Phone numbers, at most two.",
                     "Compared by number only. Slack answers other C(type) and C(primary) values than it was "
                     "sent, so a change of type alone is not sent; a changed number is sent with the declared "
                     "types.",)),
    Attribute(
        "addresses", type="list", elements="dict",
        kind="list", path=("addresses",), keep=1, unstored=("type", "primary"), create_only=True, blankable=True,
        keys=(
            Key("street_address", "streetAddress", type="str",
                description="Street and number."),
            Key("locality", "locality", type="str",
                description="City."),
            Key("region", "region", type="str",
                description="State or region."),
            Key("postal_code", "postalCode", type="str",
                description="Postal code."),
            Key("country", "country", type="str",
                description="Country."),
            Key("primary", "primary", type="bool",
                description="Whether this is the primary address."),
        ),
        description=("The postal address (Slack stores one). Slack stores neither C(type) nor "
                     "O(addresses[].primary), so they take no part in the comparison.")),
    Attribute(
        "photos", type="list", elements="dict",
        kind="list", path=("photos",), keep=1, create_only=True, entry=_photo_entry, same=_same_presence,
        keys=_entry_keys("The URL.",
                         "The kind of photo, for example V(photo)."),
        description=("The profile photo (Slack stores one); a public URL or a C(data:) URL.",
                     "Slack copies the photo to its own servers and answers that URL, so the URL read back never "
                     "equals the URL sent, and a user without a photo shows a default one (a gravatar). The "
                     "module therefore compares only whether the user has a photo of its own. A declared photo is "
                     "sent when the user is created and when the user has none; a different URL for a user who "
                     "has a photo is not sent. See the idempotency guide for how to change a photo.",)),
    Attribute(
        "roles", type="list", elements="dict",
        kind="list", path=("roles",), keep=1, unstored=("primary",), create_only=True, blankable=True,
        keys=_entry_keys("The role.",
                         "The kind of role.",
                         "Whether this is the primary role.") + (
            Key("display", "display", type="str",
                description="The role's display text."),
        ),
        description="The role (Slack stores one)."),
    Attribute(
        "enterprise", type="dict", kind="extension", create_only=True,
        description="Attributes of the SCIM enterprise extension."),
    _enterprise("employee_number", ("employeeNumber",),
                description="The employee number."),
    _enterprise("cost_center", ("costCenter",),
                description="The cost center."),
    _enterprise("organization", ("organization",),
                description="The organization."),
    _enterprise("division", ("division",),
                description="The division."),
    _enterprise("department", ("department",),
                description="The department."),
    _enterprise("manager_id", ("manager", "managerId"), clear_path=("enterprise", "manager"),
                description=("The manager, as a Slack user ID, an email or a user name. Slack stores the "
                             "manager's user ID, so the reference is resolved to it before comparing and sending; an "
                             "unknown manager fails before any write.",
                             "Given as the current manager's ID it costs no request; given another way, one lookup.",)),
    _profile("start_date", ("profile", "startDate"),
             description=("The start date (Slack profile extension), ISO 8601, for example "
                          "V(2024-04-10T00:00:00+0000).")),
    Attribute(
        "active", type="bool", kind="scalar", path=("active",), read=bool,
        description=("V(false) deactivates the user, V(true) reactivates it. Not given, activation is left as it "
                     "is.")),
    Attribute(
        "guest", type="bool", version_added="0.2.0",
        kind="guest", path=("guest", "type"), create_only=True, read=bool,
        description=("V(true) makes the user a multi-channel guest (Slack's guest extension with C(type) "
                     "V(multi)); V(false) makes a guest a full member. Not given, guest status is left as it is, "
                     "also by O(replace).",
                     "Single-channel guests cannot be provisioned through SCIM. Slack refuses to make an admin or "
                     "owner a guest (C(cannot_make_user_guest)), and reactivates a deactivated user whose guest "
                     "status changes.",)),
    Attribute(
        "guest_expiration", type="str", version_added="0.2.0",
        kind="guest", path=("guest", "expiration"), create_only=True, same=same_instant,
        description=("When a multi-channel guest's account expires, as an ISO 8601 date (V(2027-03-31)) or "
                     "date-time (V(2027-03-31T18:00:00Z)); V(\"\") removes the expiration. Its form is checked before "
                     "any request.",
                     "A new value must lie in the future (Slack refuses a past one; checked before any write). A guest "
                     "who already holds the declared value is left alone, whatever its date, so an end date kept in "
                     "the play does not fail once it has passed.",
                     "Slack takes a date-time; a date alone is sent as the end of that day, UTC "
                     "(V(2027-03-31T23:59:59Z)).",
                     "Alone, it changes an existing guest's expiration; on a full member it needs O(guest=true).",
                     "Compared as a moment (a date alone as a day), so Slack answering another spelling of the "
                     "same time is no change.",)),
    Attribute(
        "extra_attributes", type="dict", kind="raw", create_only=True,
        description=("A raw SCIM dict merged into the user last, for attributes this module does not model. Keys "
                     "are SCIM names (camelCase) or extension URNs; only the keys given are compared.")),
    Attribute(
        "external_id", type="str", version_added="0.2.0", kind="create", path=("externalId",),
        description=("The identity provider's stable key for the user (C(externalId)), set when the user is "
                     "created.",
                     "Slack does not update C(externalId); when it differs on an existing user the module warns "
                     "and sends nothing for it.",)),
    Attribute(
        "create_only", type="list", elements="str", version_added="0.2.0", kind="control",
        description=("Options that are sent when the user is created and never compared or changed afterwards, "
                     "for attributes people edit themselves (for example V([display_name, photos, title])). "
                     "O(enterprise) counts as a whole. A O(replace=true) C(PUT) carries their current values.")),
    Attribute(
        "replace", type="bool", default=False, kind="control",
        description=("When V(true) and the user exists with differences, send one C(PUT) of the full declared "
                     "user instead of a C(PATCH). Every attribute this module models that is not declared is "
                     "cleared. The user's activation, its user name and emails, and its timezone (when not "
                     "declared) are kept, because Slack would blank or deactivate them, or answers a default "
                     "timezone anyway.",
                     "Slack blanks whatever a C(PUT) omits, so the body carries, as they are, the attributes the "
                     "module does not model (the guest extension, C(externalId), C(profileUrl)) and the photo "
                     "when O(photos) is not declared. The diff shows every attribute the C(PUT) changes.",)),

)

BY_OPTION = {attribute.option: attribute for attribute in ATTRIBUTES}
# The module's options (rows without a parent), in the order of the argspec and the docs.
OPTIONS = tuple(attribute for attribute in ATTRIBUTES if attribute.parent is None)
# Single values: the top-level ones, then the enterprise extension's.
SCALARS = tuple(a for a in ATTRIBUTES if a.kind == "scalar" and not a.parent) + \
    tuple(a for a in ATTRIBUTES if a.kind == "scalar" and a.parent)
LISTS = tuple(attribute for attribute in ATTRIBUTES if attribute.kind == "list")
# Options create_only may name: the attributes of a user (enterprise as a whole).
CREATE_ONLY_CHOICES = tuple(attribute.option for attribute in ATTRIBUTES if attribute.create_only)
# Names that may be left out or cleared with "", but never be only white space.
BLANKLESS_NAMES = tuple(attribute.option for attribute in ATTRIBUTES if attribute.name)

# Rules between the options, for AnsibleModule and for slack_scim_sync's entries.
USER_SPEC_RULES = dict(
    mutually_exclusive=[("email", "emails")],
    required_one_of=[("id", "user_name", "nick_name", "email", "emails")],
)


def suboptions(attribute):
    """The sub-records of an option: a list's entry keys, or an extension's attributes."""
    if attribute.kind == "extension":
        return tuple(row for row in ATTRIBUTES if row.parent == attribute.option)
    return attribute.keys


def _choices(record):
    return CREATE_ONLY_CHOICES if record.option == "create_only" else record.choices


def _spec(record):
    spec = dict(type=record.type)
    for key, value in (("elements", record.elements), ("choices", _choices(record)), ("default", record.default)):
        if value is not None:
            spec[key] = list(value) if key == "choices" else value
    if record.required:
        spec["required"] = True
    subs = suboptions(record) if isinstance(record, Attribute) else ()
    if subs:
        spec["options"] = dict((sub.option, _spec(sub)) for sub in subs)
    return spec


def user_argument_spec():
    """The options of slack_scim_user, also the keys of each entry of slack_scim_sync's users."""
    return dict((attribute.option, _spec(attribute)) for attribute in OPTIONS)


def option_docs(reference=None):
    """The documented options (DOCUMENTATION's ``options``), or, with ``reference`` (a module's FQCN with
    ``#module``), the same options described by reference to that module's (slack_scim_sync's users)."""
    return dict((attribute.option, _doc(attribute, reference, attribute.option)) for attribute in OPTIONS)


def _doc(record, reference, path):
    doc = {}
    if record.version_added:
        doc["version_added"] = record.version_added
    if reference:
        doc["description"] = "As O(%s:%s)." % (reference, path)
    else:
        doc["description"] = list(record.description) if isinstance(record.description, tuple) \
            else record.description
    doc["type"] = record.type
    for key, value in (("elements", record.elements), ("choices", _choices(record)), ("default", record.default)):
        if value is not None:
            doc[key] = list(value) if key == "choices" else value
    if record.required:
        doc["required"] = True
    subs = suboptions(record) if isinstance(record, Attribute) else ()
    if subs:
        separator = "[]." if record.kind == "list" else "."
        doc["suboptions"] = dict((sub.option, _doc(sub, reference, path + separator + sub.option)) for sub in subs)
    return doc


def is_value_list(attribute):
    """Lists whose entries mean nothing without a value: Slack v2 pads them with placeholders such as
    {"value": null, "type": "mobile"} and {"value": null, "primary": true}."""
    return any(key.option == "value" for key in attribute.keys)


def scim_item(attribute, item):
    """A list entry given as options, with SCIM's sub-keys."""
    mapping = dict((key.option, key.scim) for key in attribute.keys)
    return {mapping[key]: value for key, value in item.items() if value is not None and key in mapping}


def canonical_list(attribute, items):
    """A list attribute as compared: what Slack stores of each entry, in a stable order.

    Placeholders (entries without a value, addresses with every field blank) are no entries.
    """
    value_list = is_value_list(attribute)
    cleaned = []
    for item in items or []:
        if not isinstance(item, dict):
            item = {"value": item}
        item = clean_item({key: value for key, value in item.items() if key not in attribute.unstored})
        if value_list and is_blank(item.get("value")):
            continue
        if attribute.entry is not None:
            item = attribute.entry(item)
        if item:
            cleaned.append(item)
    return sorted(cleaned, key=lambda entry: json.dumps(entry, sort_keys=True))


def current_value(option, resource, dialect):
    """What a server resource holds for ``option``, normalised like the desired values."""
    attribute = BY_OPTION[option]
    if attribute.kind == "email":
        value = primary_email(resource)
        return value.lower() if value else None
    if attribute.kind == "list":
        return canonical_list(attribute, (resource or {}).get(attribute.path[0]))
    return attribute.read(get_path(resource, resolve_path(attribute.path, dialect)))


def same_value(option, desired, current):
    """Whether a desired and a current value (both canonical) are what Slack would store alike."""
    return BY_OPTION[option].same(desired, current)


def diff_view(values):
    """Nested, sorted, user-facing before/after for diff mode."""
    view = {}
    for option, value in sorted(values.items()):
        attribute = BY_OPTION.get(option)
        if attribute is not None and attribute.parent:
            view.setdefault(attribute.parent, {})[option] = value
        else:
            view[option] = value
    return view


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
    for attribute in SCALARS:
        if attribute.option in ("user_name", "active"):
            continue
        value = get_path(resource, resolve_path(attribute.path, dialect))
        if not is_blank(value):
            (params.setdefault(attribute.parent, {}) if attribute.parent else params)[attribute.option] = value
    for attribute in LISTS:
        if attribute.option == "emails":
            continue
        to_option = dict((key.scim, key.option) for key in attribute.keys)
        items = [{to_option[key]: value for key, value in item.items() if key in to_option}
                 for item in canonical_list(attribute, resource.get(attribute.path[0]))]
        if items:
            params[attribute.option] = items
    if is_guest(resource, dialect):
        params["guest"] = True
        expiration = resource[dialect.guest_urn].get("expiration")
        if not is_blank(expiration):
            params["guest_expiration"] = expiration
    if not is_blank(resource.get("externalId")):
        params["external_id"] = resource["externalId"]
    return params
