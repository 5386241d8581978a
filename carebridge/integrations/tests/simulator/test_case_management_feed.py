"""The case-management peer's referral feed, read over HTTP as the poller reads it: the key, the
pages and their checkpoints, and the faults a feed can have (duplicates, shuffled pages)."""

from urllib.parse import urlencode

from carebridge.integrations.tests.simulator.conftest import call


def fill(peer, count, **overrides):
    return [
        peer.add_referral(peer.referral_body(provider_id=1, district="Newark", **overrides))
        for _ in range(count)
    ]


def ids(answer):
    return [item["external_id"] for item in answer.body["items"]]


def test_the_feed_needs_the_api_key(peer, base):
    fill(peer, 1)

    assert call(f"{base}/referrals", key=None).status == 401
    wrong = call(f"{base}/referrals", key="not-the-key")
    assert wrong.status == 401
    assert wrong.body == {"error": "unauthorised"}
    assert wrong.headers["WWW-Authenticate"] == "Bearer"
    assert call(f"{base}/referrals").status == 200


def test_a_blank_api_key_lets_any_caller_read(base, sim):
    from carebridge.integrations.simulator.case_management import CaseManagement

    open_peer = CaseManagement(api_key="")
    open_peer.prefix = "/open"
    sim.mount(open_peer)

    assert call(f"{sim.url}/open/referrals", key=None).body["items"] == []


def test_it_numbers_referrals_that_come_without_an_id_and_keeps_those_that_have_one(peer):
    first = peer.add_referral(peer.referral_body(provider_id=1, district="Newark"))
    given = peer.add_referral(peer.referral_body(provider_id=1, district="Newark", external_id="X"))
    third = peer.add_referral({"provider": 1})

    assert (first, given, third) == ("CM-000001", "X", "CM-000002")
    assert [item["external_id"] for item in peer.feed] == ["CM-000001", "X", "CM-000002"]


def test_it_serves_the_feed_in_pages_from_the_checkpoint(peer, base):
    made = fill(peer, 5)

    first = call(f"{base}/referrals?limit=2")
    assert first.status == 200
    assert first.body == {"items": peer.feed[:2], "next": "2", "more": True}
    second = call(f"{base}/referrals?after={first.body['next']}&limit=2")
    assert ids(second) == made[2:4]
    assert (second.body["next"], second.body["more"]) == ("4", True)
    last = call(f"{base}/referrals?after=4&limit=2")
    assert ids(last) == made[4:]
    assert (last.body["next"], last.body["more"]) == ("5", False)


def test_at_the_end_it_serves_nothing_new_until_a_referral_is_added(peer, base):
    fill(peer, 2)

    empty = call(f"{base}/referrals?after=2")
    assert empty.body == {"items": [], "next": "2", "more": False}
    added = peer.add_referral(peer.referral_body(provider_id=1, district="Newark"))
    assert ids(call(f"{base}/referrals?after=2")) == [added]


def test_it_serves_a_hundred_a_page_by_default(peer, base):
    fill(peer, 130)

    page = call(f"{base}/referrals")
    assert len(page.body["items"]) == 100
    assert (page.body["next"], page.body["more"]) == ("100", True)


def test_a_checkpoint_it_did_not_give_is_refused(peer, base):
    fill(peer, 3)

    for after in ("abc", "-1", "4", "1.5", "x:", "a b:1"):
        answer = call(f"{base}/referrals?{urlencode({'after': after})}")
        assert answer.status == 400, after
        assert answer.body == {"error": "bad_checkpoint", "after": after}


def test_a_limit_that_is_not_a_number_from_1_to_1000_is_refused(peer, base):
    for limit in ("0", "1001", "ten", "-5"):
        assert call(f"{base}/referrals?limit={limit}").status == 400, limit
    assert call(f"{base}/referrals?limit=1000").status == 200


def test_the_same_id_added_twice_is_served_twice(peer, base):
    body = peer.referral_body(provider_id=1, district="Newark", external_id="MOSAIC-1")
    peer.add_referral(body)
    peer.add_referral(body)

    assert ids(call(f"{base}/referrals")) == ["MOSAIC-1", "MOSAIC-1"]


def test_a_restarted_simulator_reads_a_checkpoint_of_its_earlier_run_as_the_start(peer, base):
    peer.run = "run2"
    made = fill(peer, 3)

    assert made[0] == "CM-run2-000001"
    page = call(f"{base}/referrals?after=run1:40&limit=2")
    assert ids(page) == made[:2]
    assert page.body["next"] == "run2:2"
    assert ids(call(f"{base}/referrals?after=run2:2")) == made[2:]
    # A plain index is another run's too (a simulator started without a name).
    assert ids(call(f"{base}/referrals?after=2&limit=1")) == made[:1]
    assert call(f"{base}/referrals?after=run2:4").status == 400


def test_the_duplicate_fault_serves_an_item_again_on_a_later_page_never_the_same(peer, sim, base):
    made = fill(peer, 6)
    sim.faults.duplicate_rate = 1.0

    first = call(f"{base}/referrals?limit=3")
    second = call(f"{base}/referrals?after=3&limit=3")
    third = call(f"{base}/referrals?after=6&limit=3")

    assert ids(first) == made[:3]
    assert ids(second) == made[:3] + made[3:]
    assert ids(third) == made[3:]
    assert third.body["next"] == "6"


def test_a_tenth_duplicated_serves_every_item_and_about_a_tenth_again(peer, sim, base):
    made = fill(peer, 1000)
    sim.faults.duplicate_rate = 0.1

    served, after, more = [], "", True
    while more:
        page = call(f"{base}/referrals?after={after}&limit=100")
        page_ids = ids(page)
        assert len(page_ids) == len(set(page_ids)), "an item twice on one page"
        served += page_ids
        after, more = page.body["next"], page.body["more"]
    served += ids(call(f"{base}/referrals?after={after}"))  # what the last page kept back

    assert set(served) == set(made)
    assert 60 <= len(served) - len(made) <= 140


def test_the_out_of_order_fault_shuffles_each_page_but_keeps_its_items(peer, sim, base):
    made = fill(peer, 40)
    sim.faults.out_of_order = True

    pages = [call(f"{base}/referrals?after={n}&limit=10") for n in range(0, 40, 10)]

    assert [sorted(ids(page)) for page in pages] == [
        sorted(made[n : n + 10]) for n in range(0, 40, 10)
    ]
    starts = range(0, 40, 10)
    assert any(ids(page) != made[n : n + 10] for page, n in zip(pages, starts, strict=True))
    assert (pages[-1].body["next"], pages[-1].body["more"]) == ("40", False)


def test_only_the_feed_and_updates_are_there(base):
    assert call(f"{base}/patients").status == 404
    assert call(f"{base}/referrals", method="POST", body=b"{}").status == 405
    assert call(f"{base}/referrals/CM-1/updates").status == 405
