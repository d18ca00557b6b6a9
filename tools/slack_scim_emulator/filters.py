# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SCIM filter expressions: ``attr op value`` joined by ``and``/``or``, with parentheses.

Attribute names, operators and string values compare case-insensitively, as Slack does.
A filter that does not parse raises :class:`FilterError` carrying Slack's error string.
"""

import json
import re

_TOKEN = re.compile(r'\s*(?:(\()|(\))|("(?:[^"\\]|\\.)*")|([^\s()"]+))')
OPERATORS = ("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le")
# Slack's filterable attributes and the aliases clients use for them.
ALIASES = {
    "username": "userName",
    "email": "emails.value",
    "emails": "emails.value",
    "emails.value": "emails.value",
    "displayname": "displayName",
    "nickname": "nickName",
    "members": "members.value",
}


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
        opening, closing, quoted, word = match.groups()
        if opening:
            tokens.append(("(", None))
        elif closing:
            tokens.append((")", None))
        elif quoted:
            try:
                tokens.append(("value", json.loads(quoted)))
            except ValueError:
                raise FilterError("invalid_query")
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
    def __init__(self, tokens):
        self.tokens = tokens
        self.position = 0

    def peek(self):
        return self.tokens[self.position] if self.position < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        self.position += 1
        return token

    def parse(self):
        if not self.tokens:
            raise FilterError("no_filters (is_aggregate_call=1)")
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
            return ("not", self.factor())
        if kind != "word":
            raise FilterError("no_filters (is_aggregate_call=1)")
        attribute = value
        op_kind, operator = self.take()
        if op_kind != "word":
            raise FilterError("incomplete_filter")
        operator = operator.lower()
        if operator == "pr":
            return ("pr", attribute, None)
        if operator not in OPERATORS:
            raise FilterError("incomplete_filter")
        value_kind, operand = self.take()
        if value_kind == "value":
            return (operator, attribute, operand)
        if value_kind == "word":
            return (operator, attribute, _literal(operand))
        raise FilterError("incomplete_filter")


def parse_filter(text):
    """Parse a filter into a predicate over a rendered resource."""
    tree = _Parser(_tokenize(text or "")).parse()
    return lambda resource: _evaluate(tree, resource)


def simple_equality(text):
    """(canonical attribute, value) when the filter is one ``attr eq "value"``, else None.

    Lets the store answer the searches clients send most from an index instead of a scan.
    """
    tree = _Parser(_tokenize(text or "")).parse()
    if tree[0] == "eq" and isinstance(tree[2], str):
        return ALIASES.get(tree[1].lower(), tree[1]), tree[2]
    return None


def _values(resource, attribute):
    path = ALIASES.get(attribute.lower(), attribute)
    current = [resource]
    for segment in path.split("."):
        found = []
        for item in current:
            if isinstance(item, dict):
                for key, value in item.items():
                    if key.lower() == segment.lower():
                        found.extend(value if isinstance(value, list) else [value])
        current = found
    return [item.get("value") if isinstance(item, dict) else item for item in current]


def _compare(operator, actual, expected):
    if actual is None:
        return False
    if isinstance(actual, bool) or isinstance(expected, bool):
        return operator == "eq" and str(actual).lower() == str(expected).lower() or \
            operator == "ne" and str(actual).lower() != str(expected).lower()
    left, right = str(actual).casefold(), str(expected).casefold()
    return {
        "eq": left == right, "ne": left != right, "co": right in left, "sw": left.startswith(right),
        "ew": left.endswith(right), "gt": left > right, "ge": left >= right, "lt": left < right,
        "le": left <= right,
    }[operator]


def _evaluate(node, resource):
    kind = node[0]
    if kind == "and":
        return _evaluate(node[1], resource) and _evaluate(node[2], resource)
    if kind == "or":
        return _evaluate(node[1], resource) or _evaluate(node[2], resource)
    if kind == "not":
        return not _evaluate(node[1], resource)
    values = _values(resource, node[1])
    if kind == "pr":
        return any(value not in (None, "", []) for value in values)
    return any(_compare(kind, value, node[2]) for value in values)
