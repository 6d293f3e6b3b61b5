"""The admin's user list by rank: newest first and by username, page N reads one range of
ranks, gives the rows the full query gives, and stays right as accounts come and go."""

from __future__ import annotations

import random

import pytest

from app.accounts import services as accounts
from app.accounts.models import User
from app.accounts.services import repair_user_counts
from app.admin.user_list import USER_PAGE_SIZE, USER_SORTS, ranked_users
from app.database import get_database, page_of
from tests.explained import RECORDER, explain
from tests.factories import UserFactory
from tests.logins import log_in_client


@pytest.fixture
def people(app):
    """130 accounts with usernames in no particular order, 12 of them deleted."""
    rng = random.Random(5)
    names = rng.sample([f"{a}{b}{n}" for a in "qazxm" for b in "wsed" for n in range(9)], 130)
    with app.app_context():
        made = [UserFactory(username=name, email=f"{name}@example.org") for name in names]
        for person in rng.sample(made, 12):
            accounts.delete_user(User.objects.get(id=person.id))
    return made


@pytest.mark.parametrize("sort", ["created", "username"])
def test_ranked_pages_are_the_pages_of_the_full_query(app, people, sort):
    with app.app_context():
        total = User.objects.count()
        for number in range(1, 5):
            ranked = ranked_users(sort, number)
            full = page_of(User.objects.order_by(*USER_SORTS[sort]), number, USER_PAGE_SIZE)
            if sort == "created":  # the full query's newest first is by creation time
                full = page_of(User.objects.order_by("-seq"), number, USER_PAGE_SIZE)

            assert ranked is not None
            assert [user.id for user in ranked.items] == [user.id for user in full.items]
            assert (ranked.total, ranked.pages) == (total, full.pages)
        assert repair_user_counts() == 0


def test_accounts_without_ranks_are_listed_the_slow_way_until_ranked(app, people, client):
    admin = UserFactory(username="boss", admin=True)
    with app.app_context():
        User.objects(id=people[0].id).update(unset__rank_username=True)
        assert ranked_users("username", 1) is None
    log_in_client(client, admin)

    page = client.get("/admin/users?sort=username&page=3").text

    with app.app_context():
        expected = page_of(User.objects.order_by("username", "id"), 3, USER_PAGE_SIZE)
    assert [f'data-user-id="{user.id}"' in page for user in expected.items] == [True] * len(
        expected.items
    )
    with app.app_context():
        repair_user_counts()
        assert ranked_users("username", 1) is not None


def test_a_user_page_reads_one_page_of_accounts(app, people, client):
    admin = UserFactory(username="boss", admin=True)
    log_in_client(client, admin)
    for url in ("/admin/users?page=3", "/admin/users?sort=username&page=2"):
        client.get(url)  # warm: indexes, engine check
        with RECORDER.recording() as finds:
            response = client.get(url)
        with app.app_context():
            examined = explain(get_database(), finds)

        assert response.status_code == 200
        users = [find for find in examined if find.collection == "users"]
        assert [find.filter for find in users if find.scans] == [], url
        assert sum(find.documents for find in users) <= USER_PAGE_SIZE + 2, url  # + session's
