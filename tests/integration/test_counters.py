"""Counts shown on pages are counters: kept in step by every change, repaired if they drift."""

from __future__ import annotations

import time

import pytest

from app import paging
from app.accounts.datastore import USERS
from app.accounts.models import User
from app.accounts.services import repair_user_counts
from app.library import counters
from app.library.albums import create_album
from app.library.models import Song
from app.library.services import delete_album, delete_song, requeue, update_song
from app.notifications.models import Notification
from app.notifications.services import (
    add_notification,
    inbox_key,
    mark_all_read,
    mark_read,
    repair_inboxes,
    unread_count,
)
from tests.factories import SongFactory, UserFactory


@pytest.fixture
def member(app):
    return UserFactory()


def true_counts(owner) -> counters.Counts:
    songs = Song.objects(owner=owner)
    return counters.Counts(
        songs=songs.count(),
        by_status={status: songs.filter(status=status).count() for status in counters.STATUSES},
    )


def shown(owner) -> counters.Counts:
    counted = counters.counts_of(counters.library_key(owner.id))
    return counters.Counts(songs=counted.songs, by_status=counted.by_status)


def test_each_change_keeps_the_counts_true(app, member, worker):
    with app.app_context():
        album = create_album(member, title="Live")
        other = create_album(member, title="Studio")
        songs = [
            SongFactory(owner=member, title=f"Song {n}", album=album, status="ready")
            for n in range(4)
        ]
        SongFactory(owner=member, title="Loose", status="failed")

        delete_song(songs[0])
        requeue(songs[1])  # the worker takes it through processing to ready
        update_song(songs[2], title="Moved", rating=None, album=other)
        delete_album(album, delete_songs=False)
        # The worker stores the status, then counts the move: wait for both.
        wait_until(
            lambda: (
                Song.objects.get(id=songs[1].id).status == "ready"
                and shown(member).by_status["processing"] == 0
            )
        )

        assert shown(member) == true_counts(member)
        assert shown(member).songs == 4
        assert shown(member).by_status == {"queued": 0, "processing": 0, "ready": 3, "failed": 1}
        assert counters.counts_of(counters.album_key(other.id)).songs == 1
        assert counters.counts_of(counters.EVERYONE).songs == 4
        assert counters.repair_counters() == 0


def wait_until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.1)


def test_positions_follow_upload_order_and_album_membership(app, member):
    with app.app_context():
        album = create_album(member, title="Live")
        first = SongFactory(owner=member, title="First")
        second = SongFactory(owner=member, title="Second", album=album)
        update_song(first, title="First", rating=None, album=album)

        assert (first.seq, second.seq) == (1, 2)
        assert (second.album_seq, first.album_seq) == (1, 2)
        assert first.all_seq < second.all_seq


def test_drifted_counters_are_repaired(app, member, client):
    with app.app_context():
        for n in range(3):
            SongFactory(owner=member, title=f"Song {n}", status="ready")
        paging.counters().update_one(
            {"_id": counters.library_key(member.id)}, {"$set": {"songs": 40, "status.ready": 0}}
        )
        unplaced = SongFactory(owner=member, title="Old song")
        Song.objects(id=unplaced.id).update(unset__seq=True, unset__all_seq=True)

        assert counters.repair_counters() >= 1
        assert shown(member) == true_counts(member)
        assert Song.objects.get(id=unplaced.id).seq is not None
        assert counters.repair_counters() == 0


def test_unread_count_follows_reads_and_is_repaired(app, member):
    with app.app_context():
        notes = [add_notification(str(member.id), f"Note {n}") for n in range(3)]
        assert unread_count(member.id) == 3

        mark_read(member, str(notes[0].id))
        mark_read(member, str(notes[0].id))  # twice: counted once
        assert unread_count(member.id) == 2

        mark_all_read(member)
        assert unread_count(member.id) == 0

        Notification.objects(id=notes[1].id).update(set__read=False)
        paging.counters().update_one({"_id": inbox_key(member.id)}, {"$set": {"unread": 9}})
        assert repair_inboxes() == 1
        assert unread_count(member.id) == 1


def test_accounts_are_counted_and_placed_and_repaired(app):
    people = [UserFactory() for _ in range(3)]
    with app.app_context():
        assert [person.seq for person in people] == [1, 2, 3]
        assert paging.read_counters(USERS)[USERS]["users"] == 3
        app.extensions["security"].datastore.delete_user(people[0])
        assert paging.read_counters(USERS)[USERS]["users"] == 2

        User.objects(id=people[1].id).update(unset__seq=True)
        paging.counters().update_one({"_id": USERS}, {"$set": {"users": 7}})
        # the position, the count, and both accounts' creation ranks (1 is now last)
        assert repair_user_counts() == 4
        assert User.objects.get(id=people[1].id).seq == 4
        assert User.objects.get(id=people[2].id).rank_created == 1
        assert User.objects.get(id=people[1].id).rank_created == 2
        assert paging.read_counters(USERS)[USERS]["users"] == 2
        assert repair_user_counts() == 0
