# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Listing (_listing.py): paging, complete listings or IncompleteListingError, and the finders."""

from __future__ import annotations

import json
import re

import pytest
import responses

from ansible_collections.scim.slack.plugins.module_utils._errors import IncompleteListingError, ScimError

from ansible_collections.scim.slack.tests.unit.scim_test_utils import BASE, page, query_of, user


def test_search_users_passes_filter_and_paging(mocked, make_client, api_version):
    mocked.get(BASE % api_version + "Users", json=page([user("U1", "carly")], 1))
    result = make_client(api_version).search_users(filter='userName eq "Carly"', start_index=3, count=5000)
    assert result["Resources"][0]["id"] == "U1"
    assert query_of(mocked.calls[0]) == {"filter": 'userName eq "Carly"', "startIndex": "3", "count": "1000"}


# -- paging -----------------------------------------------------------------------------------

def test_paging_advances_by_items_received_and_stops_at_total(mocked, make_client, api_version):
    url = BASE % api_version + "Users"
    # The server honours only 2 per page although 1000 were asked for.
    mocked.get(url, json=page([user("U1", "a"), user("U2", "b")], 5, 1))
    mocked.get(url, json=page([user("U3", "c"), user("U4", "d")], 5, 3))
    mocked.get(url, json=page([user("U5", "e")], 5, 5))
    ids = [u["id"] for u in make_client(api_version).iter_users()]
    assert ids == ["U1", "U2", "U3", "U4", "U5"]
    assert [query_of(c)["startIndex"] for c in mocked.calls] == ["1", "3", "5"]
    assert {query_of(c)["count"] for c in mocked.calls} == {"1000"}


def test_paging_dedupes_an_item_shifted_onto_the_next_page(mocked, make_client):
    url = BASE % "v2" + "Users"
    mocked.get(url, json=page([user("U1", "a"), user("U2", "b")], 3))
    mocked.get(url, json=page([user("U2", "b"), user("U3", "c")], 3, 3))  # U2 again: the pages overlap
    mocked.get(url, json=page([], 3, 5))  # a full page asks for the next one
    assert [u["id"] for u in make_client().iter_users(count=2)] == ["U1", "U2", "U3"]
    assert [query_of(c)["startIndex"] for c in mocked.calls] == ["1", "3", "5"]


@pytest.mark.parametrize("pages, message", [
    # 30 users in pages of 10 that say there are 20: the full second page asks for the third.
    ([(0, 10, 20), (10, 20, 20), (20, 30, 20), (30, 30, 20)], "30 users received, more than its totalResults 20"),
    # 20 users that say there are 30, in two full pages and an empty one.
    ([(0, 10, 30), (10, 20, 30), (20, 20, 30)], "20 of 30 users received (totalResults 30)"),
])
def test_a_listing_that_disagrees_with_its_total_either_way_fails_as_incomplete(mocked, make_client, pages, message):
    url = BASE % "v2" + "Users"
    for dummy in range(2):
        for first, last, total in pages:
            mocked.get(url, json=page([user("U%d" % n, "u%d" % n) for n in range(first, last)], total, first + 1))
    client = make_client()
    with pytest.raises(IncompleteListingError, match=re.escape(message)):
        list(client.iter_users(count=10))
    assert client.listing_retries == 1 and len(mocked.calls) == 2 * len(pages)


def test_a_total_too_small_by_pages_past_the_bound_fails_as_incomplete(mocked, make_client):
    url = BASE % "v2" + "Users"
    for start in range(0, 40, 10):  # more users than the 20 they say: the bound is ceil(20 / 10) + 2 = 4 pages
        mocked.get(url, json=page([user("U%d" % n, "u%d" % n) for n in range(start, start + 10)], 20, start + 1))
    with pytest.raises(IncompleteListingError, match="40 users received, more than its totalResults 20, and the pages"):
        list(make_client().iter_users(count=10))
    assert len(mocked.calls) == 4


def test_paging_without_total_reads_until_empty(mocked, make_client):
    url = BASE % "v2" + "Groups"
    mocked.get(url, json={"Resources": [{"id": "S1"}]})
    mocked.get(url, json={"Resources": []})
    assert [g["id"] for g in make_client().iter_groups()] == ["S1"]


def test_paging_has_a_hard_bound(make_client):
    served = []

    def endless(request):
        # A broken server: every page is new and claims ten more results than the last.
        served.append(1)
        n = len(served)
        return 200, {}, json.dumps(page([user("U%d" % n, "u%d" % n)], 10 * n, n))

    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.GET, BASE % "v2" + "Users", callback=endless)
        with pytest.raises(ScimError, match="paging did not end after 12 pages"):
            list(make_client().iter_users())
    assert len(served) == 12  # ceil(10 / 1) + 2, from the first page's totalResults


def test_paging_limit_stops_early(mocked, make_client):
    mocked.get(BASE % "v2" + "Users", json=page([user("U1", "a"), user("U2", "b")], 100))
    assert len(list(make_client().iter_users(limit=1))) == 1
    assert len(mocked.calls) == 1


# -- finders ----------------------------------------------------------------------------------

def test_find_user_by_user_name_uses_one_filtered_search(mocked, make_client, api_version):
    mocked.get(BASE % api_version + "Users", json=page([user("U1", "carly")], 1))
    found = make_client(api_version).find_user_by_user_name("Carly")
    assert found["id"] == "U1"
    assert query_of(mocked.calls[0])["filter"] == 'userName eq "Carly"'
    assert len(mocked.calls) == 1


def test_find_user_by_email_checks_matches_client_side(mocked, make_client, api_version):
    attribute = {"v1": "email", "v2": "emails"}[api_version]
    mocked.get(BASE % api_version + "Users", json=page(
        [user("U1", "carly", "Carly@Example.com"), user("U2", "carl", "carl@example.com")], 2))
    found = make_client(api_version).find_user_by_email("carly@example.COM")
    assert found["id"] == "U1"
    assert query_of(mocked.calls[0])["filter"] == '%s eq "carly@example.COM"' % attribute


def test_finder_fails_on_more_than_one_match(mocked, make_client):
    groups = [{"id": "S1", "displayName": "Eng"}, {"id": "S2", "displayName": "eng"}]
    mocked.get(BASE % "v2" + "Groups", json=page(groups, 2))
    with pytest.raises(ScimError, match="2 groups match displayName 'eng': S1, S2"):
        make_client().find_group_by_display_name("eng")


def test_finder_falls_back_to_a_scan_when_the_filter_is_rejected(mocked, make_client):
    url = BASE % "v2" + "Groups"
    mocked.get(url, status=400, json={"Errors": {"description": "invalid_query", "code": 400}},
               match=[responses.matchers.query_param_matcher(
                   {"filter": 'displayName eq "Ops"', "startIndex": "1", "count": "1000"})])
    mocked.get(url, json=page([{"id": "S1", "displayName": "eng"}, {"id": "S2", "displayName": "ops"}], 2))
    assert make_client().find_group_by_display_name("Ops")["id"] == "S2"
    assert "filter" not in query_of(mocked.calls[1])


def test_finder_returns_none_and_does_not_scan_when_nothing_matches(mocked, make_client):
    mocked.get(BASE % "v2" + "Users", json=page([], 0))
    assert make_client().find_user_by_user_name("nobody") is None
    assert len(mocked.calls) == 1


def test_finder_raises_other_errors(mocked, make_client):
    mocked.get(BASE % "v2" + "Users", status=401,
               json={"Errors": {"description": "invalid_authentication", "code": 401}})
    with pytest.raises(ScimError) as caught:
        make_client().find_user_by_user_name("carly")
    assert caught.value.status == 401
    assert "token" in str(caught.value)


# -- short listings are never taken as the whole directory (issue 14.1) ------------------------------

def test_a_short_listing_is_listed_again_once(mocked, make_client):
    url = BASE % "v2" + "Users"
    mocked.get(url, json=page([user("U1", "a"), user("U2", "b")], 5))
    mocked.get(url, json=page([], 5, 3))  # an empty page in the middle of the directory
    mocked.get(url, json=page([user("U1", "a"), user("U2", "b")], 5))
    mocked.get(url, json=page([user("U3", "c"), user("U4", "d")], 5, 3))
    mocked.get(url, json=page([user("U5", "e")], 5, 5))
    client = make_client()
    assert [u["id"] for u in client.iter_users(count=2)] == ["U1", "U2", "U3", "U4", "U5"]
    assert [query_of(c)["startIndex"] for c in mocked.calls] == ["1", "3", "1", "3", "5"]
    assert client.listing_retries == 1


def test_a_listing_short_twice_fails_saying_how_much_arrived(mocked, make_client):
    url = BASE % "v2" + "Users"
    for dummy in range(2):
        mocked.get(url, json=page([user("U1", "a"), user("U2", "b")], 2500))
        mocked.get(url, json=page([], 2500, 3))
    with pytest.raises(IncompleteListingError) as caught:
        list(make_client().iter_users(count=2))
    error = caught.value
    assert "listing was incomplete: 2 of 2500 users received (totalResults 2500)" in str(error)
    assert (error.resource, error.received, error.total, error.status, error.path) == ("Users", 2, 2500, None, "/Users")
    assert error.to_dict()["received"] == 2 and error.to_dict()["total_results"] == 2500
    assert isinstance(error, ScimError) and len(mocked.calls) == 4


def test_a_server_ignoring_start_index_is_never_progress(mocked, make_client):
    url = BASE % "v2" + "Groups"
    first = page([{"id": "S1", "displayName": "a"}, {"id": "S2", "displayName": "b"}], 5)
    for dummy in range(4):
        mocked.get(url, json=first)  # every page is page 1
    with pytest.raises(IncompleteListingError, match="2 of 5 groups received"):
        list(make_client().iter_groups(count=2))
    assert [query_of(c)["startIndex"] for c in mocked.calls] == ["1", "3", "1", "3"]


def test_pages_yields_each_item_once_across_the_second_listing(mocked, make_client):
    url = BASE % "v2" + "Users"
    mocked.get(url, json=page([user("U1", "a"), user("U2", "b")], 3))
    mocked.get(url, json=page([user("U1", "a"), user("U2", "b")], 3, 3))  # repeated: no new id
    mocked.get(url, json=page([user("U1", "a"), user("U2", "b")], 3))
    mocked.get(url, json=page([user("U3", "c")], 3, 3))
    pages = list(make_client().pages("Users", count=2))
    assert [[item["id"] for item in p["Resources"]] for p in pages] == [["U1", "U2"], ["U3"]]
    assert pages[0]["totalResults"] == 3


def test_a_limited_listing_is_not_short(mocked, make_client):
    mocked.get(BASE % "v2" + "Users", json=page([user("U1", "a"), user("U2", "b")], 100))
    client = make_client()
    assert [u["id"] for u in client.iter_users(limit=2)] == ["U1", "U2"]
    assert len(mocked.calls) == 1 and client.listing_retries == 0


def test_finders_fail_on_a_short_listing_instead_of_finding_nothing(mocked, make_client):
    url = BASE % "v2" + "Users"
    for dummy in range(2):
        mocked.get(url, json=page([], 1))  # the filter matched one user, but none arrived
    with pytest.raises(IncompleteListingError, match="0 of 1 users received"):
        make_client().find_user_by_email("carly@example.com")


# -- display names are matched on the client (issue 12.11) -----------------------------------------

def test_users_with_display_name_sends_no_display_name_filter(mocked, make_client):
    users = [dict(user("U1", "a"), displayName="Carly H"), dict(user("U2", "b"), displayName="carly h"),
             dict(user("U3", "c"), displayName="Dana")]
    mocked.get(BASE % "v2" + "Users", json=page(users, 3))
    found = make_client().users_with_display_name("CARLY H")
    assert [u["id"] for u in found] == ["U1", "U2"]
    assert "filter" not in query_of(mocked.calls[0])


def test_find_users_takes_a_predicate_and_a_limit(mocked, make_client):
    mocked.get(BASE % "v2" + "Users", json=page([user("U1", "a", active=False), user("U2", "b"),
                                                 user("U3", "c", active=False)], 3))
    assert [u["id"] for u in make_client().find_users(lambda u: not u["active"], limit=1)] == ["U1"]
