"""The admin's user list by rank: newest first, by username and by email, page N reads one
range of ranks, gives the rows the full query gives, and stays right as accounts come and
go and as they change (registration, the CLI, change-username, change-email, names on the
account page, the admin's edit, deletion): after each, the hourly repair finds nothing
wrong (ranks, search words, counts)."""

from __future__ import annotations

import random

import pytest

from app.accounts import services as accounts
from app.accounts.models import User
from app.accounts.services import repair_user_counts
from app.admin import user_list
from app.admin.user_list import USER_SORTS, ranked_users
from app.database import get_database, page_of
from tests.explained import RECORDER, explain
from tests.factories import STRONG_PASSWORD, UserFactory
from tests.helpers import csrf_token, link_in, register, wait_for_mail
from tests.logins import log_in_client

#: Pages of ten accounts here, so that a few dozen accounts make several pages.
USER_PAGE_SIZE = 10


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch):
    monkeypatch.setattr(user_list, "USER_PAGE_SIZE", USER_PAGE_SIZE)


@pytest.fixture
def people(app):
    """40 accounts with usernames and emails in no particular order (nor the same),
    5 of them deleted."""
    rng = random.Random(5)
    names = rng.sample([f"{a}{b}{n}" for a in "qazxm" for b in "wsed" for n in range(9)], 40)
    with app.app_context():
        made = [
            UserFactory(username=name, email=f"{rng.choice('kbt')}{name[::-1]}@example.org")
            for name in names
        ]
        for person in rng.sample(made, 5):
            accounts.delete_user(User.objects.get(id=person.id))
    return made


@pytest.mark.parametrize("sort", ["created", "username", "email"])
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
        User.objects.order_by("username").first().update(unset__rank_username=True)
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
    urls = ("/admin/users?page=3", "/admin/users?sort=username&page=2", "/admin/users?sort=email")
    for url in urls:
        client.get(url)  # warm: indexes, engine check
        with RECORDER.recording() as finds:
            response = client.get(url)
        with app.app_context():
            examined = explain(get_database(), finds)

        assert response.status_code == 200
        users = [find for find in examined if find.collection == "users"]
        assert [find.filter for find in users if find.scans] == [], url
        assert sum(find.documents for find in users) <= USER_PAGE_SIZE + 2, url  # + session's


def ranks_of(username: str) -> tuple[int, int, int]:
    user = User.objects.get(username=username)
    return user.rank_created, user.rank_username, user.rank_email


def test_every_change_of_an_account_keeps_its_ranks_words_and_counts(app, people, runner):
    admin = UserFactory(username="boss", email="boss@example.org", admin=True)
    client, admin_client = app.test_client(), app.test_client()

    assert register(client, username="Mmm", email="Mmm@Example.org").status_code in (200, 302)
    assert repair_user_counts() == 0
    values = {
        "--role": "Public",
        "--username": "alice",
        "--first-name": "Alice",
        "--last-name": "Liddell",
        "--email": "alice@example.org",
        "--password": STRONG_PASSWORD,
    }
    created = runner.invoke(args=["users", "create", *(p for pair in values.items() for p in pair)])
    assert created.exit_code == 0, created.output
    assert repair_user_counts() == 0

    member = UserFactory(username="ann", email="ann@example.org", first_name="Ann")
    page = log_in_client(client, "ann@example.org")
    client.post(
        "/account/names",
        data={"first_name": "Éva", "last_name": "Müller", "csrf_token": csrf_token(page.text)},
    )
    assert User.objects.get(id=member.id).search_words == [
        "ann",
        "ann@example.org",
        "müller",
        "éva",
    ]
    assert repair_user_counts() == 0

    form = client.get("/change-username")
    changed = client.post(
        "/change-username",
        data={"username": "Zyxwv", "csrf_token": csrf_token(form.text)},
        follow_redirects=True,
    )
    assert "You successfully changed your username" in changed.text
    assert ranks_of("zyxwv")[1] == User.objects.count()  # the last username now
    assert repair_user_counts() == 0

    token = csrf_token(log_in_client(admin_client, admin).text)
    admin_client.post(
        f"/admin/users/{member.id}",
        data={"csrf_token": token, "first_name": "Ida", "last_name": "Lo", "roles": ["Admin"]},
    )
    assert User.objects.get(id=member.id).search_words == ["ann@example.org", "ida", "lo", "zyxwv"]
    assert repair_user_counts() == 0

    admin_client.post(f"/admin/users/{member.id}/delete", data={"csrf_token": token})
    assert User.objects(id=member.id).first() is None
    assert repair_user_counts() == 0


@pytest.mark.usefixtures("worker")
def test_a_changed_email_moves_the_account_in_the_email_order(app, people, client, settings):
    UserFactory(username="ann", email="aaa@example.org")
    log_in_client(client, "aaa@example.org")
    assert ranks_of("ann")[2] == 1

    form = client.get("/change-email")
    data = {"email": "zzz@example.org", "csrf_token": csrf_token(form.text)}
    client.post("/change-email", data=data)
    [mail] = wait_for_mail(settings["INSTANCE_PATH"], "zzz@example.org")
    link = link_in(mail.text, "/change-email/")
    client.get("/" + link.split("://", 1)[1].split("/", 1)[1])

    user = User.objects.get(username="ann")
    assert user.email == "zzz@example.org"
    assert user.rank_email == User.objects.count()
    assert "zzz@example.org" in user.search_words
    assert repair_user_counts() == 0
