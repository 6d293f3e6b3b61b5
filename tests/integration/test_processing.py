"""Processing by a real worker: every fixture ends in the right state with the right facts."""

from __future__ import annotations

import re
import time

import pytest

from app.library.models import Album, Song
from app.library.services import requeue
from tasks.uploads import process_song
from tests.factories import SongFactory, UserFactory
from tests.fixtures import audio_file
from tests.fixtures.hostile_audio import MP3_FRAME_SECONDS, mp3_cut_short
from tests.helpers import csrf_token
from tests.library import upload
from tests.logins import log_in_client

pytestmark = pytest.mark.usefixtures("worker")

WAIT_SECONDS = 30


def wait_for_final(song_id: str) -> Song:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        song = Song.objects.get(id=song_id)
        if song.status in ("ready", "failed"):
            return song
        time.sleep(0.1)
    raise AssertionError(f"song {song_id} still {song.status} after {WAIT_SECONDS} s")


@pytest.fixture
def member(app):
    return UserFactory()


@pytest.fixture
def token(client, member):
    return csrf_token(log_in_client(client, member).text)


@pytest.mark.parametrize(
    ("name", "fmt", "duration", "rate", "channels", "title_tag", "has_waveform"),
    [
        ("tone-440hz-5s.mp3", "mp3", 5.0, 44100, 2, "Sine_A440", True),
        ("tone-523hz-5s.ogg", "ogg", 5.0, 44100, 2, "C5 tone", True),
        ("tone-659hz-5s.flac", "flac", 5.0, 44100, 1, "E5 tone", True),
        ("tone-784hz-3s.wav", "wav", 3.0, 22050, 1, None, True),
        ("tone-880hz-5s.m4a", "m4a", 5.02, 44100, 2, "A5 tone", False),
        ("tone-440hz-4min.mp3", "mp3", 240.0, 44100, 2, "Four minutes of A4", True),
    ],
)
def test_each_fixture_ends_ready_with_its_facts(
    app, client, token, name, fmt, duration, rate, channels, title_tag, has_waveform
):
    song_id = upload(client, token, audio_file(name)).get_json()["id"]

    song = wait_for_final(song_id)

    assert song.status == "ready", song.status_reason
    assert song.format == fmt
    assert song.duration == pytest.approx(duration, abs=0.05)
    assert song.sample_rate == rate
    assert song.channels == channels
    assert song.bitrate > 0
    assert song.tags.get("title") == title_tag
    assert (len(song.peaks) == 800) is has_waveform
    assert all(0.0 <= peak <= 1.0 for peak in song.peaks)
    assert not has_waveform or min(song.peaks) > 0  # a steady tone: never silent


def test_truncated_mp3_is_ready_with_the_duration_a_decoder_finds(app, client, token):
    song_id = upload(client, token, audio_file("truncated.mp3")).get_json()["id"]

    song = wait_for_final(song_id)

    assert song.status == "ready"
    assert 0 < song.duration < 0.5  # the header claims 5 s; 3,000 bytes hold about 0.1 s


def test_an_mp3_cut_short_shows_the_length_it_plays_not_the_one_its_header_claims(
    app, client, token
):
    content = mp3_cut_short(92)  # 2.4 s of sound; its header says 5.04 s
    song_id = upload(client, token, content=content, filename="cut.mp3").get_json()["id"]

    song = wait_for_final(song_id)

    assert song.status == "ready", song.status_reason
    assert song.duration == pytest.approx(92 * MP3_FRAME_SECONDS, abs=0.05)
    shown = re.compile(rf'data-duration-for="{song_id}"[^>]*>0:02<')
    assert shown.search(client.get("/songs").text)
    page = client.get(f"/songs/{song_id}").text
    assert shown.search(page)
    assert 'aria-valuemax="2"' in page
    assert f'data-duration="{song.duration}"' in page  # the waveform's length, not the header's


def test_fields_left_empty_are_filled_from_the_tags_and_the_album_when_asked(
    app, client, token, member
):
    fields = {"title": "", "artist": "", "album": "tags"}
    song_id = upload(client, token, audio_file("tone-440hz-5s.mp3"), fields=fields).get_json()
    assert song_id["title"] == "tone-440hz-5s"  # the file name until it is processed

    song = wait_for_final(song_id["id"])

    assert (song.title, song.artist) == ("Sine_A440", "Encore_Test_Tones")
    assert (song.album.title, song.album.artist) == ("Fixtures", "Encore_Test_Tones")
    assert Album.objects(owner=member).count() == 1
    assert {"sine_a440", "encore_test_tones", "fixtures"} <= set(song.search_words)
    assert song.from_tags == []
    assert "Sine_A440" in client.get("/songs").text


def test_no_album_makes_no_album_from_the_tags(app, client, token, member):
    song_id = upload(client, token, audio_file("tone-440hz-5s.mp3"), fields={"album": ""})

    song = wait_for_final(song_id.get_json()["id"])

    assert song.title == "Sine_A440"
    assert song.album is None
    assert Album.objects.count() == 0


def test_what_the_member_typed_is_never_replaced_by_the_tags(app, client, token, member):
    fields = {"title": "My take", "artist": "Me", "album": "tags"}
    song_id = upload(client, token, audio_file("tone-440hz-5s.mp3"), fields=fields)

    song = wait_for_final(song_id.get_json()["id"])

    assert (song.title, song.artist, song.album.title) == ("My take", "Me", "Fixtures")
    assert song.tags["title"] == "Sine_A440"


def test_a_file_without_tags_keeps_its_file_name_as_title(app, client, token, member):
    fields = {"album": "tags"}
    song_id = upload(client, token, audio_file("tone-784hz-3s.wav"), fields=fields)

    song = wait_for_final(song_id.get_json()["id"])

    assert song.status == "ready"
    assert (song.title, song.artist, song.album) == ("tone-784hz-3s", "", None)
    assert Album.objects.count() == 0


def test_titles_from_the_tags_stay_editable_and_processing_again_keeps_the_edit(
    app, client, token, member
):
    song_id = upload(client, token, audio_file("tone-523hz-5s.ogg"), fields={}).get_json()["id"]
    assert wait_for_final(song_id).title == "C5 tone"
    form = client.get(f"/songs/{song_id}/edit").text
    assert 'value="C5 tone"' in form
    assert 'value="Encore Test Tones"' in form

    client.post(
        f"/songs/{song_id}/edit",
        data={"title": "Middle C, up", "artist": "Us", "rating": "", "album": ""},
        headers={"X-CSRFToken": token},
    )
    with app.app_context():
        requeue(Song.objects.get(id=song_id))
    song = wait_for_final(song_id)

    assert (song.title, song.artist) == ("Middle C, up", "Us")
    assert "Middle C, up" in client.get(f"/songs/{song_id}").text


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("not-audio.mp3", "This file is not audio: it looks like HTML."),
        ("random-bytes.ogg", "This file is not audio: it looks like unrecognised binary data."),
    ],
)
def test_a_stored_file_that_is_not_audio_fails_with_the_reason(app, member, name, reason):
    with app.app_context():
        song = SongFactory(owner=member, title="Odd", content=audio_file(name).read_bytes())
        process_song.delay(str(song.id))

    failed = wait_for_final(str(song.id))

    assert failed.status == "failed"
    assert failed.status_reason == reason


def test_a_damaged_file_fails_its_checksum(app, member):
    with app.app_context():
        song = SongFactory(owner=member, title="Damaged")
        Song.objects(id=song.id).update(set__sha256="0" * 64)
        process_song.delay(str(song.id))

    failed = wait_for_final(str(song.id))

    assert failed.status_reason.startswith("The stored file is damaged")


def test_the_same_task_twice_changes_nothing_the_second_time(app, client, token):
    song_id = upload(client, token, audio_file("tone-523hz-5s.ogg")).get_json()["id"]
    first = wait_for_final(song_id)

    with app.app_context():
        process_song.delay(song_id)
    time.sleep(1.5)

    again = Song.objects.get(id=song_id)
    assert again.status == "ready"
    assert again.updated_at == first.updated_at
    assert again.to_mongo() == first.to_mongo()


def test_processing_twice_in_a_row_gives_the_same_facts(app, member):
    """Re-queuing a finished song (admin "re-process") yields identical results."""
    with app.app_context():
        song = SongFactory(
            owner=member, title="Twice", content=audio_file("tone-659hz-5s.flac").read_bytes()
        )
        process_song.delay(str(song.id))
    keys = (
        "status",
        "format",
        "duration",
        "bitrate",
        "sample_rate",
        "channels",
        "tags",
        "waveform",
    )
    first = wait_for_final(str(song.id))
    first_facts = {key: first[key] for key in keys}
    with app.app_context():
        requeue(first)
    second = wait_for_final(str(song.id))

    assert first_facts == {key: second[key] for key in keys}


def test_a_song_deleted_during_processing_stays_deleted(app, member):
    from app.library.pipeline import finish_processing, start_processing
    from app.library.services import delete_song

    with app.app_context():
        song = SongFactory(owner=member, title="Short-lived")
        claimed = start_processing(str(song.id))
        delete_song(Song.objects.get(id=song.id))

        assert finish_processing(claimed) == "dropped"

    assert Song.objects.count() == 0
    assert Album.objects.count() == 0


def test_edits_made_while_a_song_is_processed_are_kept(app, member):
    from app.library.albums import create_album
    from app.library.pipeline import finish_processing, start_processing
    from app.library.services import update_song

    with app.app_context():
        live = create_album(member, title="Live at home")
        song = SongFactory(
            owner=member, title="Working title", album=live, from_tags=["title", "artist"]
        )
        claimed = start_processing(str(song.id))
        update_song(Song.objects.get(id=song.id), title="Final title", rating=4, album=None)

        assert finish_processing(claimed) == "ready"

        stored = Song.objects.get(id=song.id)
        assert (stored.title, stored.rating, stored.status) == ("Final title", 4, "ready")
        assert stored.artist == "Encore_Test_Tones"  # left to the tags, and not edited
        assert stored.album is None  # not left to the tags: no album from them
        assert not Album.objects(title="Fixtures")
        assert "final" in stored.search_words
        assert "working" not in stored.search_words
        assert stored.duration == pytest.approx(5.0, abs=0.05)


def test_a_song_given_an_album_while_processed_keeps_it(app, member):
    from app.library.albums import create_album
    from app.library.pipeline import finish_processing, start_processing
    from app.library.services import update_song

    with app.app_context():
        song = SongFactory(owner=member, title="Tagged", from_tags=["album"])
        claimed = start_processing(str(song.id))
        chosen = create_album(member, title="Chosen")
        update_song(Song.objects.get(id=song.id), title="Tagged", rating=None, album=chosen)

        assert finish_processing(claimed) == "ready"

        assert Song.objects.get(id=song.id).album.id == chosen.id
        assert not Album.objects(title="Fixtures")


def test_a_waveform_stored_as_doubles_is_read_packed_and_the_song_still_saves(app):
    with app.app_context():
        song = SongFactory(owner=UserFactory(), title="Older song", status="ready")
        Song._get_collection().update_one({"_id": song.id}, {"$set": {"waveform": [0.0, 0.5, 1.0]}})
        song = Song.objects.get(id=song.id)
        assert song.peaks == [0.0, 0.502, 1.0]
        song.title = "Older song, renamed"
        song.save()
        stored = Song._get_collection().find_one({"_id": song.id})
    assert stored["title"] == "Older song, renamed"  # validation took the packed peaks
