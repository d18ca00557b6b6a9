# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection options every plugin shares, declared once (``OPTIONS``), and their one check.

Internal to scim.slack; the API may change.  Plain Python (no Ansible, no requests): the Python client
takes its defaults from here too.  From ``OPTIONS`` come the modules' and the action plugins' argument spec
(``_connection.argument_spec()``), the lookup's options (``option_docs("lookup")``, in the doc fragment), the
defaults of ``SCIMClient``, the ``retries`` budget's keys and defaults (``RETRY_DEFAULTS``), and the
``scim.slack.connection`` doc fragment (``option_docs()``), which ``hacking/option_docs.py`` writes.

``options_problem`` is the check of a task's options (a module's params, a lookup's options), made once per
task before any request; ``SCIMClient`` checks what a Python caller gives it (``client_problem``).
"""

from __future__ import annotations

import ipaddress
import math
from urllib.parse import urlsplit

from ansible_collections.scim.slack.plugins.module_utils._dialect import DIALECTS, dialect_mismatch

# ``timeout`` is a deadline for one request: connecting, sending, and reading the whole answer.
MAX_TIMEOUT = 3600
VARIABLE_PREFIX = "slack_scim_"


class Option:
    """One connection option: what the argument spec, the lookup and the documentation say of it."""

    def __init__(self, name, type, description, default=None, env=(), required=False, no_log=False, choices=None,
                 version_added=None, suboptions=()):
        self.name = name
        self.type = type
        self.description = description
        self.default = default
        self.env = tuple(env)  # read when the option is not given, the first one set winning
        self.required = required
        self.no_log = no_log
        self.choices = choices
        self.version_added = version_added
        self.suboptions = tuple(suboptions)

    @property
    def variable(self):
        """The variable the lookup and the action plugins read when the option is not given (before ``env``)."""
        return VARIABLE_PREFIX + self.name

    def spec(self, fallback=None):
        """The argument spec entry; ``fallback`` is ansible-core's ``env_fallback`` (given: this file has no Ansible)."""
        spec = {"type": self.type}
        if self.required:
            spec["required"] = True
        if self.no_log:
            spec["no_log"] = True
        if self.default is not None:
            spec["default"] = self.default
        if self.choices:
            spec["choices"] = list(self.choices)
        if self.env and fallback is not None:
            spec["fallback"] = (fallback, list(self.env))
        if self.suboptions:
            spec["apply_defaults"] = True
            spec["options"] = dict((option.name, option.spec()) for option in self.suboptions)
        return spec

    def doc(self):
        """The documentation entry of the doc fragment."""
        doc = {"description": self.description}
        if len(self.env) == 1:
            doc["description"] = list(self.description) + [
                "Modules fall back to the environment variable E(%s)." % self.env[0]]
        elif not isinstance(self.description, str):
            doc["description"] = list(self.description)
        doc["type"] = self.type
        if self.required:
            doc["required"] = True
        if self.choices:
            doc["choices"] = list(self.choices)
        for key in ("default", "version_added"):
            if getattr(self, key) is not None:
                doc[key] = getattr(self, key)
        if self.suboptions:
            doc["suboptions"] = dict((option.name, option.doc()) for option in self.suboptions)
        return doc

    def plugin_doc(self):
        """Where the lookup reads the option from besides its keyword: ansible-core's configuration lets the last
        environment variable listed win, so they are listed in reverse."""
        doc = {}
        if len(self.env) > 1:
            doc["description"] = [
                "The lookup reads, in order of precedence, its keyword argument, the variable C(%s), and the "
                "environment variables %s on the controller." % (self.variable, _joined(self.env, "E(%s)", "and"))]
        if self.env:
            doc["env"] = [{"name": name} for name in reversed(self.env)]
        doc["vars"] = [{"name": self.variable}]
        return doc


def _joined(names, form, last):
    shown = [form % name for name in names]
    return shown[0] if len(shown) == 1 else "%s %s %s" % (", ".join(shown[:-1]), last, shown[-1])


RETRIES = (
    Option("connection_errors", "int", "Retries after a refused, reset or dropped connection.", default=1),
    Option("rate_limited", "int", "Retries after HTTP 429 or C(resource_locked).", default=5),
    Option("server_errors", "int", (
        "Retries after HTTP 500, 502, 503 or 504, for requests that are safe to repeat.",
        "When above 0, a user creation Slack fails with the transient C(invited_user_not_created) is also retried, "
        "once."), default=2),
    Option("max_wait", "float", (
        "Seconds of waiting between retries allowed for one request, in all; a finite number, 0 or more.",
        "A retry whose wait would pass it is not made."), default=120),
)

OPTIONS = (
    Option("token", "str", (
        "A Slack user token with the C(admin) scope, from an app installed on the Enterprise organization "
        "(C(xoxp-...)).",
        "When the task does not set it (nor C(module_defaults)), modules read the variable C({variable}), as the "
        "lookup does, then the environment variable {environment}, read where the module runs (usually the "
        "controller, with C(delegate_to=localhost)).",
        "Every other connection option is read the same way from a variable named after it, {other_variables}, "
        "before its environment variable.",
        "The token is never shown in output, diffs or error messages."),
        env=("SLACK_SCIM_TOKEN", "SLACK_ORG_ADMIN_USER_TOKEN"), required=True, no_log=True),
    Option("api_url", "str", (
        "Base URL of the SCIM API, ending in the version.",
        "Defaults to C(https://api.slack.com/scim/v2/) or C(https://api.slack.com/scim/v1/), after O(api_version).",
        "A URL whose path ends in C(/scim/v1/) or C(/scim/v2/) must agree with O(api_version); a contradiction fails "
        "before any request. Any other URL (a gateway) is taken as given.",
        "A plain C(http://) URL to a host other than this machine (C(localhost), 127.0.0.0/8, C(::1)) would send the "
        "token in clear text, and fails before any request unless O(allow_plain_http=true).",
        "Writes never follow redirects, and reads follow them only to the same scheme, host and port; a redirect not "
        "followed fails naming where it pointed."),
        env=("SLACK_SCIM_API_URL",)),
    Option("api_version", "str", (
        "The SCIM dialect to speak. V(v2) is SCIM 2.0 (RFC 7643/7644); V(v1) is Slack's SCIM 1.1.",),
        env=("SLACK_SCIM_API_VERSION",), choices=tuple(sorted(DIALECTS)), default="v2"),
    Option("web_api_url", "str", (
        "Base URL of Slack's Web API, for the Enterprise Grid C(admin.*) methods (workspaces, channels, IdP group "
        "connections) and C(auth.test).",
        "Defaults to the Web API beside O(api_url) - C(https://slack.com/api/) for Slack's own SCIM host "
        "C(api.slack.com), else C(/api/) on the host of O(api_url) - which suits Slack and the emulator. Set it when "
        "a gateway serves SCIM and the Web API at different places.",
        "The same rules as O(api_url) apply to a plain C(http://) URL and to redirects."),
        env=("SLACK_SCIM_WEB_API_URL",), version_added="0.2.0"),
    Option("timeout", "float", (
        "Seconds allowed for one request in all (connecting and reading the whole answer, not each network read) "
        "before it fails.",
        "Must be greater than 0 and at most %d." % MAX_TIMEOUT,
        "Answers larger than 64 MiB are refused."), default=30),
    Option("validate_certs", "bool", (
        "Verify the TLS certificate of O(api_url).",
        "Set to V(false) only for a test endpoint you trust. It applies even when the environment variable "
        "E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE) is set; with V(true), those variables choose the CA bundle."),
        default=True),
    Option("allow_plain_http", "bool", (
        "Allow a plain C(http://) O(api_url) to a host other than this machine (C(localhost), 127.0.0.0/8, "
        "C(::1)). The token then travels in clear text, readable by anyone on the network, and every task warns so.",
        "Only for a test endpoint (an emulator on another host) on a network you trust. A plain C(http://) URL to "
        "this machine needs no such permission."), default=False, version_added="0.2.0"),
    Option("retries", "dict", (
        "How many times to retry a request, by kind of failure, and how long to wait in all.",
        "A request Slack rate-limits (HTTP 429, C(resource_locked)) is retried after the time its C(Retry-After) "
        "header asks for.",
        "A C(POST) is resent after a connection failure only when it certainly never reached Slack."),
        suboptions=RETRIES),
)

BY_NAME = dict((option.name, option) for option in OPTIONS)
NAMES = tuple(BY_NAME)
# The options that are URLs the token is sent to.
URLS = ("api_url", "web_api_url")
API_VERSIONS = BY_NAME["api_version"].choices
DEFAULTS = dict((option.name, option.default) for option in OPTIONS if option.default is not None)
ENVIRONMENT = dict((option.name, option.env) for option in OPTIONS if option.env)
VARIABLES = dict((option.name, option.variable) for option in OPTIONS)
RETRY_DEFAULTS = dict((option.name, option.default) for option in RETRIES)
RETRY_COUNT_KEYS = tuple(option.name for option in RETRIES if option.type == "int")


def option_docs(reference=None):
    """The options of the doc fragment's DOCUMENTATION, or with ``reference="lookup"`` those of its PLUGINS: where
    the lookup reads each option from (``hacking/option_docs.py`` writes both)."""
    if reference == "lookup":
        return dict((option.name, option.plugin_doc()) for option in OPTIONS)
    docs = dict((option.name, option.doc()) for option in OPTIONS)
    token = BY_NAME["token"]
    others = [option.variable for option in OPTIONS if option is not token]
    docs["token"]["description"] = [paragraph.format(
        variable=token.variable, environment=", then ".join("E(%s)" % name for name in token.env),
        other_variables=_joined(others, "C(%s)", "and")) for paragraph in docs["token"]["description"]]
    return docs


def missing_token_message():
    """What the lookup says without a token, naming where it looks."""
    token = BY_NAME["token"]
    return "no token: pass token=..., set the variable %s, or the environment variable %s" % (
        token.variable, token.env[0])


# -- the check -----------------------------------------------------------------------------------------


def option_value(options, name):
    """The option's value in ``options`` (a module's params, a lookup's options), its default when unset."""
    value = options.get(name)
    return DEFAULTS.get(name) if value is None else value


def options_problem(options):
    """The first reason the connection options cannot work (naming the option and its value), or ``None``:
    checked once per task, before any request (a module when it starts, the lookup before its client)."""
    problem = timeout_problem(option_value(options, "timeout")) or retries_problem(options.get("retries"))
    if problem:
        return problem
    for option in URLS:
        url = options.get(option)
        if url and not url.lower().startswith(("https://", "http://")):
            return "%s must be an http(s) URL, got %r" % (option, url)
        clear_text = insecure_url_warning(url, option)
        if clear_text and not option_value(options, "allow_plain_http"):
            return ("%s. Refused: use https://, or set allow_plain_http: true for a test endpoint on a network you "
                    "trust" % clear_text)
    return dialect_mismatch(options.get("api_url"), option_value(options, "api_version"))


def options_warning(options):
    """The warning to show for usable options (a token sent in clear text, allowed by allow_plain_http), or
    ``None``."""
    return next(filter(None, (insecure_url_warning(options.get(option), option) for option in URLS)), None)


def client_problem(base_url, api_version, timeout, max_wait):
    """Why a Python caller's ``SCIMClient`` settings cannot work, or ``None`` (``api_version`` is checked by the
    client itself, which raises ``ValueError`` for it)."""
    return dialect_mismatch(base_url, api_version) or timeout_problem(timeout) or retries_problem(
        {"max_wait": max_wait})


def api_version_problem(api_version):
    if api_version in API_VERSIONS:
        return None
    return "api_version must be one of %s, got %r" % (", ".join(API_VERSIONS), api_version)


def timeout_problem(timeout):
    """Why ``timeout`` is unusable (a message naming the option and value), or ``None``."""
    seconds = finite_number(timeout)
    if seconds is None or seconds <= 0 or seconds > MAX_TIMEOUT:
        return "timeout must be a number of seconds greater than 0 and at most %d, got %r" % (MAX_TIMEOUT, timeout)
    return None


def retries_problem(retries):
    """Why the ``retries`` option is unusable (a message naming the key and value), or ``None``."""
    if retries is None:
        return None
    if not isinstance(retries, dict):
        return "retries must be a dictionary, got %r" % (retries,)
    for key in RETRY_COUNT_KEYS:
        value = retries.get(key)
        if value is None:
            continue
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return "retries.%s must be a whole number of retries, 0 or more, got %r" % (key, value)
    value = retries.get("max_wait")
    if value is not None:
        number = finite_number(value)
        if number is None or number < 0:
            return "retries.max_wait must be a finite number of seconds, 0 or more, got %r" % (value,)
    return None


def finite_number(value):
    """``value`` as a finite float, or ``None`` when it is not one (booleans are not numbers here)."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


# -- the URLs the token is sent to ---------------------------------------------------------------------


def is_loopback_host(host):
    """True for ``localhost`` (and names under it), 127.0.0.0/8 and ::1."""
    if not host:
        return False
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def insecure_url_warning(url, option="api_url"):
    """The warning to show when ``url`` (the option ``option``) sends the token in clear text (plain
    ``http://`` to a host that is not loopback), else ``None``.  Safe to call without Ansible."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "http" or is_loopback_host(parts.hostname):
        return None
    return ("%s %s is plain http:// to %s, which is not this machine: the token travels in clear text "
            "and anyone on the network can read it; use https://"
            % (option, url_without_secrets(url), parts.hostname))


def url_without_secrets(url):
    parts = urlsplit(url)
    if parts.username or parts.password:
        return url.replace(parts.netloc, parts.hostname or "", 1)
    return url
