# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SCIM filter expressions: ``attr op value`` joined by ``and``/``or``, with parentheses.

Two uses:

- the ``filter`` query parameter of GET /Users and /Groups (:func:`parse_search_filter`): only
  what Slack documents is accepted (REF "Filter": the attributes ``username``, ``email``,
  ``restricted`` and ``ultra_restricted``; the operators ``eq co sw pr gt ge lt le``, ``and``,
  ``or`` and parentheses); v2 also takes ``emails`` (used in production against Slack's v2),
  groups take ``displayName``.  Anything else is refused with Slack's 400 strings;
- value filters inside v2 PATCH paths such as ``emails[value eq "x"]`` (:func:`parse_filter`),
  evaluated against one multi-valued entry.

Attribute names, operators and string values compare case-insensitively, as Slack does.
A filter that does not parse raises :class:`FilterError` carrying Slack's error string.
"""

import json
import re

_TOKEN = re.compile(r'''\s*(?:(\()|(\))|("(?:[^"\\]|\\.)*")|('[^']*')|([^\s()"']+))''')
DOCUMENTED_OPERATORS = ("eq", "co", "sw", "gt", "ge", "lt", "le")
PATH_OPERATORS = DOCUMENTED_OPERATORS + ("ne", "ew")
NO_FILTERS = "no_filters (is_aggregate_call=1)"

# What GET /Users and /Groups may filter on: lower-cased name -> canonical attribute.
SEARCHABLE = {
    ("Users", "v1"): {"username": "userName", "email": "email",
                      "restricted": "restricted", "ultra_restricted": "ultra_restricted"},
    ("Users", "v2"): {"username": "userName", "email": "email", "emails": "email",
                      "restricted": "restricted", "ultra_restricted": "ultra_restricted"},
    ("Groups", "v1"): {"displayname": "displayName"},
    ("Groups", "v2"): {"displayname": "displayName"},
}
BOOLEAN_ATTRIBUTES = ("restricted", "ultra_restricted")


class FilterError(Exception):
    def __init__(self, error):
        super().__init__(error)
        self.error = error


def _tokenize(text):
    tokens = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise FilterError("invalid_query")
        position = match.end()
        opening, closing, quoted, single, word = match.groups()
        if opening:
            tokens.append(("(", None))
        elif closing:
            tokens.append((")", None))
        elif quoted:
            try:
                tokens.append(("value", json.loads(quoted)))
            except ValueError:
                raise FilterError("invalid_query")
        elif single:
            tokens.append(("value", single[1:-1]))  # REF's own example: restricted eq '1'
        else:
            tokens.append(("word", word))
    return tokens


def _literal(word):
    lowered = word.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    try:
        return int(word)
    except ValueError:
        return word  # Slack's own examples use unquoted values


class _Parser:
    def __init__(self, tokens, operators, allow_not):
        self.tokens = tokens
        self.position = 0
        self.operators = operators
        self.allow_not = allow_not

    def peek(self):
        return self.tokens[self.position] if self.position < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        self.position += 1
        return token

    def parse(self):
        if not self.tokens:
            raise FilterError(NO_FILTERS)
        node = self.expression()
        if self.position != len(self.tokens):
            raise FilterError("invalid_filter_group")
        return node

    def expression(self):
        node = self.term()
        while self._keyword("or"):
            node = ("or", node, self.term())
        return node

    def term(self):
        node = self.factor()
        while self._keyword("and"):
            node = ("and", node, self.factor())
        return node

    def _keyword(self, keyword):
        kind, value = self.peek()
        if kind == "word" and value.lower() == keyword:
            self.position += 1
            return True
        return False

    def factor(self):
        kind, value = self.take()
        if kind == "(":
            node = self.expression()
            if self.take()[0] != ")":
                raise FilterError("invalid_filter_group")
            return node
        if kind == "word" and value.lower() == "not" and self.peek()[0] == "(":
            if not self.allow_not:
                raise FilterError("invalid_query")
            return ("not", self.factor())
        if kind != "word":
            raise FilterError(NO_FILTERS)
        attribute = value
        op_kind, operator = self.take()
        if op_kind is None:
            raise FilterError(NO_FILTERS if self.position == 2 else "incomplete_filter")
        if op_kind != "word":
            raise FilterError("incomplete_filter")
        operator = operator.lower()
        if operator == "pr":
            return ("pr", attribute, None)
        if operator not in self.operators:
            raise FilterError("invalid_query")
        value_kind, operand = self.take()
        if value_kind == "value":
            return (operator, attribute, operand)
        if value_kind == "word":
            return (operator, attribute, _literal(operand))
        raise FilterError("incomplete_filter")


def _attributes(node):
    if node[0] in ("and", "or"):
        return _attributes(node[1]) + _attributes(node[2])
    if node[0] == "not":
        return _attributes(node[1])
    return [node[1]]


def _rename(node, names):
    if node[0] in ("and", "or"):
        return (node[0], _rename(node[1], names), _rename(node[2], names))
    return (node[0], names[node[1].lower()], node[2])


def parse_search_filter(text, resource, dialect):
    """The parse tree of a GET /Users or /Groups ``filter``, attributes made canonical.

    Raises :class:`FilterError` for what Slack does not document: ``invalid_query`` for other
    attributes or operators (``ne``, ``ew``, ``not``), ``incomplete_filter`` /
    ``invalid_filter_group`` / ``no_filters`` for malformed text.
    """
    tree = _Parser(_tokenize(text or ""), DOCUMENTED_OPERATORS, allow_not=False).parse()
    names = SEARCHABLE[(resource, dialect)]
    if any(attribute.lower() not in names for attribute in _attributes(tree)):
        raise FilterError("invalid_query")
    return _rename(tree, names)


def simple_equality(tree):
    """(attribute, value) when a search tree is one ``attr eq "value"``, else None.

    Lets the store answer the searches clients send most from an index instead of a scan.
    """
    if tree[0] == "eq" and isinstance(tree[2], str) and tree[1] not in BOOLEAN_ATTRIBUTES:
        return tree[1], tree[2]
    return None


def evaluate(tree, values_of):
    """Evaluate a search tree; ``values_of(attribute)`` gives a record's values for it."""
    kind = tree[0]
    if kind == "and":
        return evaluate(tree[1], values_of) and evaluate(tree[2], values_of)
    if kind == "or":
        return evaluate(tree[1], values_of) or evaluate(tree[2], values_of)
    values = values_of(tree[1])
    if kind == "pr":
        return any(value not in (None, "", [], False) for value in values)
    expected = tree[2]
    if tree[1] in BOOLEAN_ATTRIBUTES:
        expected = str(expected).strip().lower() in ("1", "true")
    return any(_compare(kind, value, expected) for value in values)


def parse_filter(text):
    """A predicate over one multi-valued entry, for the value filter of a v2 PATCH path."""
    tree = _Parser(_tokenize(text or ""), PATH_OPERATORS, allow_not=True).parse()
    return lambda entry: _evaluate_entry(tree, entry)


def _entry_values(entry, attribute):
    for key, value in (entry.items() if isinstance(entry, dict) else ()):
        if key.lower() == attribute.lower():
            return [value]
    return []


def _compare(operator, actual, expected):
    if actual is None:
        return False
    if isinstance(actual, bool) or isinstance(expected, bool):
        same = str(actual).lower() == str(expected).lower()
        return same if operator == "eq" else (not same if operator == "ne" else False)
    left, right = str(actual).casefold(), str(expected).casefold()
    return {
        "eq": left == right, "ne": left != right, "co": right in left, "sw": left.startswith(right),
        "ew": left.endswith(right), "gt": left > right, "ge": left >= right, "lt": left < right,
        "le": left <= right,
    }[operator]


def _evaluate_entry(node, entry):
    kind = node[0]
    if kind == "and":
        return _evaluate_entry(node[1], entry) and _evaluate_entry(node[2], entry)
    if kind == "or":
        return _evaluate_entry(node[1], entry) or _evaluate_entry(node[2], entry)
    if kind == "not":
        return not _evaluate_entry(node[1], entry)
    values = _entry_values(entry, node[1])
    if kind == "pr":
        return any(value not in (None, "", []) for value in values)
    return any(_compare(kind, value, node[2]) for value in values)
