"""Uploading: every accepted format is stored whole; every bad input is refused with a
clear reason and leaves nothing behind (no song, no GridFS file, no chunk)."""

from __future__ import annotations

import hashlib
import io

import pytest

from app.database import get_database
from app.library.models import Song
from tests.factories import AlbumFactory, UserFactory
from tests.fixtures import audio_file
from tests.helpers import csrf_token
from tests.library import MP3, post_multipart, upload
from tests.logins import log_in_client

AUDIO = {
    "tone-440hz-5s.mp3": "audio/mpeg",
    "tone-523hz-5s.ogg": "audio/ogg",
    "tone-659hz-5s.flac": "audio/flac",
    "tone-784hz-3s.wav": "audio/wav",
    "tone-880hz-5s.m4a": "audio/mp4",
    "tone-440hz-4min.mp3": "audio/mpeg",
}


def stored_counts() -> tuple[int, int, int]:
    database = get_database()
    return (
        Song.objects.count(),
        database["songs.files"].count_documents({}),
        database["songs.chunks"].count_documents({}),
    )


def assert_nothing_stored() -> None:
    assert stored_counts() == (0, 0, 0)


@pytest.fixture
def member(app):
    return UserFactory(first_name="Mia")


@pytest.fixture
def token(client, member):
    return csrf_token(log_in_client(client, member).text)


@pytest.mark.parametrize("raw_name", ["..\\..\\windows\\evil.mp3", 'quote"and\\slash.mp3'])
def test_names_with_quotes_and_backslashes_keep_no_path(app, client, token, raw_name):
    response = upload(client, token, MP3, filename=raw_name)

    assert response.status_code == 201
    kept = Song.objects.get(id=response.get_json()["id"]).original_filename
    assert not set(kept) & set('/\\"\x00')
    assert kept


@pytest.mark.parametrize(("name", "content_type"), AUDIO.items())
def test_each_format_is_stored_whole_and_queued(app, client, token, member, name, content_type):
    path = audio_file(name)

    response = upload(client, token, path, fields={"title": name, "rating": "4"})

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "queued"
    song = Song.objects.get(id=body["id"])
    assert song.owner.id == member.id
    assert song.original_filename == name
    assert song.content_type == content_type
    assert song.rating == 4
    assert song.size == path.stat().st_size
    assert song.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    downloaded = client.get(f"/songs/{song.id}/download").data
    assert downloaded == path.read_bytes()


def test_title_defaults_to_the_file_name_when_no_title_is_sent(app, client, token):
    response = upload(client, token, MP3, fields={})

    assert response.get_json()["title"] == "tone-440hz-5s"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("not-audio.mp3", "This file is not audio: it looks like HTML."),
        ("random-bytes.ogg", "This file is not audio: it looks like unrecognised binary data."),
    ],
)
def test_non_audio_is_refused_and_nothing_is_stored(app, client, token, name, reason):
    response = upload(client, token, audio_file(name))

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"] == {"file": reason}
    assert_nothing_stored()


def test_empty_file_is_refused(app, client, token):
    response = upload(client, token, None, content=b"", filename="empty.mp3")

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"file": "The file is empty."}
    assert_nothing_stored()


def test_oversize_file_is_refused_naming_the_limit(make_app, app):
    small = make_app(MAX_UPLOAD_MB=0.05)  # 51,200 bytes; the MP3 is 81,227
    client = small.test_client()
    token = csrf_token(log_in_client(client, UserFactory()).text)

    response = upload(client, token, MP3)

    assert response.status_code == 413
    assert response.get_json()["errors"] == {"file": "The file is larger than the 0.05 MB limit."}
    assert_nothing_stored()


def test_oversize_declared_length_is_refused_before_reading(make_app, app):
    client = make_app(MAX_UPLOAD_MB=0.05).test_client()
    token = csrf_token(log_in_client(client, UserFactory()).text)

    response = upload(client, token, None, content=b"\xff\xfb" * 1_000_000, filename="big.mp3")

    assert response.status_code == 413
    assert_nothing_stored()


def test_oversize_page_upload_gets_an_html_page_naming_the_limit(make_app, app):
    client = make_app(MAX_UPLOAD_MB=0.05).test_client()
    token = csrf_token(log_in_client(client, UserFactory()).text)

    response = post_multipart(
        client, "/songs", {"csrf_token": token, "file": (io.BytesIO(MP3.read_bytes()), "song.mp3")}
    )

    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "larger than the 0.05 MB limit" in response.text
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("raw_name", "kept"),
    [
        ("../../etc/passwd.mp3", "passwd.mp3"),
        ("nul\x00byte.mp3", "nulbyte.mp3"),
        ("🎵 Ünïcødé song.mp3", "🎵 Ünïcødé song.mp3"),
        ("x" * 300 + ".mp3", "x" * 251 + ".mp3"),
    ],
)
def test_odd_file_names_are_made_safe(app, client, token, raw_name, kept):
    response = upload(client, token, MP3, filename=raw_name)

    assert response.status_code == 201, response.get_json()
    assert Song.objects.get(id=response.get_json()["id"]).original_filename == kept


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"title": "t" * 201}, {"title": "must be at most 200 characters"}),
        ({"artist": "a" * 201}, {"artist": "must be at most 200 characters"}),
        ({"album": "from-tags"}, {"album": "No such album among this library's albums."}),
        ({"title": "ok", "rating": "0"}, {"rating": "must be a whole number from 1 to 5"}),
        ({"title": "ok", "rating": "6"}, {"rating": "must be a whole number from 1 to 5"}),
        ({"title": "ok", "rating": "abc"}, {"rating": "must be a whole number from 1 to 5"}),
        ({"title": "ok", "rating": "2.5"}, {"rating": "must be a whole number from 1 to 5"}),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_stored(app, client, token, fields, errors):
    response = upload(client, token, MP3, fields=fields)

    assert response.status_code == 422
    assert response.get_json()["errors"] == errors
    assert_nothing_stored()


@pytest.mark.parametrize("title", [None, "", "   "])
def test_a_title_left_empty_is_the_file_name_until_the_tags_are_read(app, client, token, title):
    fields = {} if title is None else {"title": title}

    response = upload(client, token, MP3, fields=fields)

    assert response.status_code == 201, response.get_json()
    song = Song.objects.get(id=response.get_json()["id"])
    assert (song.title, song.artist, song.album) == ("tone-440hz-5s", "", None)
    assert song.from_tags == ["title", "artist"]  # no album: "No album" was chosen


def test_the_album_from_the_tags_is_an_explicit_choice(app, client, token):
    fields = {"title": "Mine", "artist": "Me", "album": "tags"}

    response = upload(client, token, MP3, fields=fields)

    song = Song.objects.get(id=response.get_json()["id"])
    assert (song.title, song.artist, song.album) == ("Mine", "Me", None)
    assert song.from_tags == ["album"]


def test_bad_fields_after_the_file_still_leave_nothing(app, client, token):
    response = upload(client, token, MP3, fields={"title": "ok", "rating": "9"}, file_first=True)

    assert response.status_code == 422
    assert_nothing_stored()


def test_title_with_html_is_kept_as_text_and_escaped(app, client, token):
    title = '<script>alert("x")</script>'
    song_id = upload(client, token, MP3, fields={"title": title}).get_json()["id"]

    page = client.get(f"/songs/{song_id}").text
    listing = client.get("/songs").text

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&lt;script&gt;" in listing


@pytest.mark.parametrize("which", ["theirs", "0" * 24, "not-an-id"])
def test_an_album_not_in_the_library_is_refused(app, client, token, which):

    theirs = AlbumFactory(owner=UserFactory(), title="Theirs")
    album_id = str(theirs.id) if which == "theirs" else which

    response = upload(client, token, MP3, fields={"title": "ok", "album": album_id})

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"album": "No such album among this library's albums."}
    assert stored_counts()[0] == 0


@pytest.mark.parametrize("album", ["not-an-id", "0" * 24])
def test_an_album_that_is_not_one_is_a_field_error(app, client, token, album):
    response = upload(client, token, MP3, fields={"title": "ok", "album": album})

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"album": "No such album among this library's albums."}
    assert stored_counts()[0] == 0


def test_missing_csrf_token_is_refused_before_storing(app, client, token):
    response = upload(client, None, MP3)

    assert response.status_code == 400
    assert "CSRF" in response.get_json()["detail"]
    assert_nothing_stored()


def test_csrf_token_as_a_field_before_the_file_works(app, client, token):
    response = upload(client, None, MP3, fields={"csrf_token": token, "title": "ok"})

    assert response.status_code == 201


def test_upload_while_logged_out_is_refused(app, client):
    response = upload(client, "whatever", MP3)

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert_nothing_stored()


def test_logged_out_browsers_are_sent_to_log_in_first(app, client):
    page = client.get("/songs/upload")
    replace = client.post(f"/songs/{'0' * 24}/replace", data={"csrf_token": "x"})

    assert page.status_code == 302
    assert page.headers["Location"] == "/login?next=/songs/upload"
    assert replace.status_code == 302
    assert replace.headers["Location"].startswith("/login?next=")


def test_malformed_multipart_is_a_clear_400(app, client, token):
    response = client.post(
        "/songs",
        data=b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\n\r\nID3',
        headers={"X-CSRFToken": token, "Accept": "application/json"},
        content_type="multipart/form-data; boundary=xyz",
    )

    assert response.status_code == 400
    assert "ended before it was complete" in response.get_json()["detail"]
    assert_nothing_stored()


def test_not_multipart_is_a_clear_400(app, client, token):
    response = client.post(
        "/songs",
        json={"title": "x"},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )

    assert response.status_code == 400
    assert response.get_json()["detail"] == "Send the upload as multipart/form-data."
