# -*- coding: utf-8 -*-
# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Converging one user: find it, plan the one write from its current state, send it, recover from conflicts.

Internal to scim.slack; the API may change.  No Ansible imports: the modules feed it a UserSpec and report
the :class:`Outcome` it decides, so every module (and slack_scim_sync, through its own finder) plans a user
change the same way.
"""

from __future__ import annotations

import copy

from ansible_collections.scim.slack.plugins.module_utils._errors import ScimError
from ansible_collections.scim.slack.plugins.module_utils._finders import ClientFinder
from ansible_collections.scim.slack.plugins.module_utils._outcome import Outcome, Write
from ansible_collections.scim.slack.plugins.module_utils._user_attributes import BY_OPTION, current_value, diff_view
from ansible_collections.scim.slack.plugins.module_utils._user_requests import (
    create_body,
    patch_body,
    predict,
    put_body,
)
from ansible_collections.scim.slack.plugins.module_utils._user_spec import UserSpecError
from ansible_collections.scim.slack.plugins.module_utils._user_values import (
    get_path,
    is_blank,
    is_guest,
    resolve_path,
    same_text,
)


def find_user(finder, spec):
    """The user the spec names: by id; else by user name, then by email.  ``None`` if nobody."""
    if spec.id:
        return finder.by_id(spec.id)
    user = finder.by_user_name(spec.user_name) if spec.user_name else None
    if user is None and spec.email:
        user = finder.by_email(spec.email)
    return user


def plan_user(finder, spec, check_mode=False):
    """Find the user ``spec`` names, then plan it (``plan_found_user``)."""
    return plan_found_user(finder, spec, find_user(finder, spec), check_mode)


def plan_found_user(finder, spec, current, check_mode=False):
    """Decide, from the current state only, what bringing one user to ``spec`` takes.

    ``current`` is the user ``find_user`` finds for ``spec`` (None: nobody); ``finder`` answers the other
    lookups (the manager, the holder of the email).
    """
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
    if any(same_text(e.get("value"), spec.email) for e in current.get("emails") or []):
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
    if reference == get_path(current, resolve_path(BY_OPTION["manager_id"].path, spec.dialect)):
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
    write = outcome.write
    if write.kind == "delete":
        client.delete_user(write.id)
    elif write.kind == "patch":
        outcome.user = client.patch_user(write.id, write.body) or outcome.user
    elif write.kind == "put":
        outcome.user = client.update_user(write.body)
    else:
        return _apply_creation(client, spec, outcome)
    return outcome


def converge_user(client, spec, check_mode=False):
    """Plan one user with one read, then (unless in check mode) send the one write it needs."""
    outcome = plan_user(ClientFinder(client), spec, check_mode)
    return outcome if check_mode else apply_user(client, spec, outcome)


def _plan_deactivation(current):
    if current is None or not current.get("active"):
        return Outcome(None, current)
    name = current.get("userName")
    return Outcome("deactivate", dict(current, active=False), {"user_name": name, "active": True},
                   {"user_name": name, "active": False}, ["active"], write=Write("delete", current["id"]))


def _plan_creation(spec):
    if spec.desired.get("guest_expiration") and not spec.desired.get("guest"):
        raise UserSpecError("guest_expiration %r needs guest: true to create a multi-channel guest"
                            % spec.desired["guest_expiration"])
    _refuse_past_expiration(spec, None)
    missing = [option for option, value in (("user_name", spec.user_name), ("email", spec.email)) if not value]
    if missing:
        raise UserSpecError("no user matches %s, and creating one needs %s" % (
            _identity(spec), " and ".join("email (or emails)" if m == "email" else m for m in missing)))
    body = create_body(spec)
    warnings = [spec.user_name_warning()] if spec.user_name_warning() else []
    after = diff_view(dict((option, value) for option, value in spec.desired.items() if not is_blank(value)))
    predicted = dict(copy.deepcopy(body), id=None, nickName=spec.user_name)
    return Outcome("create", predicted, {}, after, sorted(spec.desired), warnings, write=Write("create", None, body))


def _apply_creation(client, spec, outcome):
    """POST the user; on a conflict or a lost answer, find the account that exists instead."""
    body = outcome.write.body
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
    converged = apply_user(client, spec, plan_found_user(ClientFinder(client), spec, existing))
    if lost_answer:
        converged.action = "create"
        converged.before, converged.after = outcome.before, outcome.after
        converged.changed_attributes = outcome.changed_attributes
    return converged


def _refuse_past_expiration(spec, current):
    """A new guest_expiration must lie in the future (Slack refuses a past one); the value a guest already
    holds is no change, whatever its date, and never gets here."""
    past = spec.past_expiration()
    if past is None:
        return
    if current is None:
        raise UserSpecError("guest_expiration %r is not in the future, and a new guest cannot be given a past "
                            "expiration; give a later date, or leave guest_expiration out" % past)
    held = get_path(current, (spec.dialect.guest_urn, "expiration"))
    raise UserSpecError("guest_expiration %r is not in the future, and user %s (%s) holds %s; Slack refuses a past "
                        "expiration. Give a later date, or the one the user holds"
                        % (past, current.get("id"), current.get("userName"),
                           repr(held) if not is_blank(held) else "no expiration"))


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
    if "user_name" in changed and spec.user_name_warning():
        warnings.append(spec.user_name_warning())
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
    if "guest_expiration" in changed:
        _refuse_past_expiration(spec, current)
    if "guest" in changed and not current.get("active"):
        warnings.append("user %s (%s) is deactivated; Slack reactivates a user whose guest status changes"
                        % (current.get("id"), current.get("userName")))
    if not current.get("active") and "active" not in spec.desired:
        warnings.append("user %s (%s) is deactivated; set active: true to reactivate it"
                        % (current.get("id"), current.get("userName")))
    if not changed:
        return Outcome(None, current, warnings=warnings)
    before_values = spec.current_view(current)
    after_values = dict(before_values)
    after_values.update({option: spec.desired[option] for option in changed if option in spec.desired})
    # An empty value is left out of its side (no "title": null): the other side alone shows it set or cleared.
    before = diff_view({o: v for o, v in before_values.items() if o in changed and not is_blank(v)})
    after = diff_view({o: v for o, v in after_values.items() if o in changed and not is_blank(v)})
    if "guest" in changed and spec.desired["guest"] is False:
        held = current_value("guest_expiration", current, spec.dialect)
        if not is_blank(held):  # a full member has no expiration: show it going
            before["guest_expiration"] = held
    for key in (option.split(".", 1)[1] for option in changed if option.startswith("extra_attributes.")):
        before.setdefault("extra_attributes", {})[key] = current.get(key)
        after.setdefault("extra_attributes", {})[key] = spec.extra[key]
    if spec.replace:
        body = put_body(spec, current)
        return Outcome("replace", dict(body, nickName=body["userName"]), before, after, changed, warnings,
                       write=Write("put", current["id"], body))
    partial = patch_body(spec, current, changed)
    action = "reactivate" if changed == ["active"] and spec.desired["active"] else "update"
    predicted = predict(current, partial)
    if "guest" in changed and "active" not in spec.desired:
        predicted["active"] = True  # Slack reactivates a user converted to or from a guest
    return Outcome(action, predicted, before, after, changed, warnings,
                   write=Write("patch", current["id"], partial))
