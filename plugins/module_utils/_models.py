# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SCIM users and groups as objects, in the Python Slack SDK's vocabulary (``User``, ``UserName``,
``Group``, ``GroupMember``, ...).

Internal to scim.slack; the API may change (the names are public through ``scim_client.py``).

Each model takes its attributes as snake_case keywords (``user_name``, ``given_name``) and writes
them back with Slack's JSON keys in ``to_dict()``.  What a model does not know is kept, never dropped:
keywords it has no attribute for, and keys of Slack's answers it has no attribute for (the enterprise
extension, v2's placeholders, attributes Slack adds later) go to ``unknown_fields`` under the key
they came with, and ``to_dict()`` writes them back unchanged.  An attribute never given is left out of
``to_dict()``; one given as ``None`` is written as ``null`` (which a PATCH reads as "remove").
"""

from __future__ import annotations

import copy


class _NotGiven:
    """The value of an attribute nobody set (``to_dict()`` leaves it out); falsy, one instance."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self):
        return False

    def __repr__(self):
        return "NotGiven"

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


NotGiven = _NotGiven()


class Model:
    """A SCIM object: ``FIELDS`` maps each attribute to its JSON key; ``NESTED`` names the model of an
    attribute holding an object, or a list of objects."""

    FIELDS = {}
    NESTED = {}

    def __init__(self, **values):
        for attribute in self.FIELDS:
            setattr(self, attribute, self._convert(attribute, values.pop(attribute, NotGiven)))
        self.unknown_fields = values

    @classmethod
    def _convert(cls, attribute, value):
        model = cls.NESTED.get(attribute)
        if model is None:
            return value
        if isinstance(value, dict):
            return model.from_dict(value)
        if isinstance(value, list):
            return [model.from_dict(item) if isinstance(item, dict) else item for item in value]
        return value

    @classmethod
    def from_dict(cls, data):
        """The model of one JSON object (Slack's keys, or the attribute names), unknown keys kept."""
        attributes = {key: attribute for attribute, key in cls.FIELDS.items()}
        values = {}
        unknown = {}
        for key, value in (data or {}).items():
            attribute = attributes.get(key) or (key if key in cls.FIELDS else None)
            if attribute is None:
                unknown[key] = copy.deepcopy(value)
            else:
                values[attribute] = copy.deepcopy(value)
        model = cls(**values)
        model.unknown_fields.update(unknown)
        return model

    def to_dict(self):
        """The JSON object: given attributes under Slack's keys, then the unknown fields as they came."""
        data = {}
        for attribute, key in self.FIELDS.items():
            value = getattr(self, attribute, NotGiven)
            if value is not NotGiven:
                data[key] = _plain(value)
        for key, value in (self.unknown_fields or {}).items():
            if value is not NotGiven:
                data[key] = _plain(value)
        return data

    def __eq__(self, other):
        return type(other) is type(self) and other.to_dict() == self.to_dict()

    def __ne__(self, other):
        return not self == other

    __hash__ = None

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, self.to_dict())


def _plain(value):
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if item is not NotGiven}
    return copy.deepcopy(value)


def _fields(*names):
    """``{attribute: JSON key}``: ``user_name`` is written ``userName``."""
    return {name: _camel(name) for name in names}


def _camel(name):
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class TypeAndValue(Model):
    FIELDS = _fields("primary", "type", "value")


class UserEmail(TypeAndValue):
    pass


class UserPhoneNumber(TypeAndValue):
    pass


class UserRole(TypeAndValue):
    pass


class UserAddress(Model):
    FIELDS = _fields("country", "locality", "postal_code", "primary", "region", "street_address")


class UserGroup(Model):
    FIELDS = _fields("display", "value")


class UserMeta(Model):
    FIELDS = _fields("created", "location")


class UserName(Model):
    FIELDS = _fields("family_name", "given_name")


class UserPhoto(Model):
    FIELDS = _fields("type", "value")


class User(Model):
    FIELDS = _fields("active", "addresses", "display_name", "emails", "external_id", "groups", "id", "meta", "name",
                     "nick_name", "phone_numbers", "photos", "profile_url", "roles", "schemas", "timezone", "title",
                     "user_name")
    NESTED = {"addresses": UserAddress, "emails": UserEmail, "groups": UserGroup, "meta": UserMeta,
              "name": UserName, "phone_numbers": UserPhoneNumber, "photos": UserPhoto, "roles": UserRole}


class GroupMember(Model):
    FIELDS = _fields("display", "value")


class GroupMeta(Model):
    FIELDS = _fields("created", "location")


class Group(Model):
    FIELDS = _fields("display_name", "id", "members", "meta", "schemas")
    NESTED = {"members": GroupMember, "meta": GroupMeta}
