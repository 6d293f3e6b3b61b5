"""Analysis is bounded by what a file really holds, never by what its header claims."""

from __future__ import annotations

import hashlib
import io
import os
import random
import signal
import threading
import time

import mutagen
import numpy as np
import pytest
from celery.exceptions import SoftTimeLimitExceeded

from app.library.analysis import AudioProblem, analyse, spell_seconds
from app.library.waveform import Peaks
from tests.fixtures import audio_file, mp3_frames_for
from tests.fixtures.hostile_audio import (
    FLAC_FIXTURE,
    MP3_FRAME_SECONDS,
    TINY_MP3_FRAME_SECONDS,
    flac_claiming_samples,
    flac_damaged_in_its_middle,
    flac_of_silence,
    mp3_cut_short,
    mp3_of_tiny_frames,
    wav_claiming_bytes,
)

TEN_MINUTES = 600.0


def analysed(content: bytes, max_seconds: float = TEN_MINUTES):
    return analyse(io.BytesIO(content), hashlib.sha256(content).hexdigest(), max_seconds)


def test_a_flac_header_claiming_far_more_samples_than_present_gives_the_real_duration():
    content = flac_claiming_samples(2**36 - 1)  # some 18 days at 44.1 kHz

    facts = analysed(content)

    assert facts.duration == 5.0
    assert len(facts.waveform) == 800
    assert min(facts.waveform) > 0  # a steady tone all along, no slice left empty


def test_a_wav_header_claiming_far_more_bytes_than_present_gives_the_real_duration():
    facts = analysed(wav_claiming_bytes(0xFFFFFF00))

    assert facts.duration == 3.0
    assert len(facts.waveform) == 800


def test_an_mp3_of_very_many_tiny_frames_is_decoded_to_its_real_duration():
    content = mp3_of_tiny_frames(300)

    facts = analysed(content)

    assert len(content) == pytest.approx(300_000, rel=0.01)
    assert facts.duration == pytest.approx(len(content) / 36 * TINY_MP3_FRAME_SECONDS)


def test_tiny_frames_beyond_the_limit_fail_saying_so():
    with pytest.raises(AudioProblem) as problem:
        analysed(mp3_of_tiny_frames(TEN_MINUTES + 60))

    assert problem.value.reason == (
        "This file holds more than 10 minutes of audio, the longest a song may be."
    )


def test_hours_of_silence_in_a_small_file_stop_at_the_limit():
    content = flac_of_silence(6 * 3600)

    with pytest.raises(AudioProblem) as problem:
        analysed(content, max_seconds=60)

    assert len(content) < 300_000
    assert problem.value.reason == (
        "This file holds more than 1 minute of audio, the longest a song may be."
    )


def test_silence_within_the_limit_is_ready_and_silent():
    facts = analysed(flac_of_silence(120))

    assert facts.duration == pytest.approx(120, abs=1.5)
    assert set(facts.waveform) == {0.0}


def test_a_format_nothing_here_decodes_is_held_to_the_limit_by_its_header():
    with pytest.raises(AudioProblem, match="more than 2 seconds of audio"):
        analysed(audio_file("tone-880hz-5s.m4a").read_bytes(), max_seconds=2)


def test_a_flac_cut_short_is_the_audio_it_holds():
    content = FLAC_FIXTURE.read_bytes()

    facts = analysed(content[: len(content) // 2])

    assert 2.0 < facts.duration < 3.0


@pytest.mark.parametrize("frames", [20, 92, 150])
def test_an_mp3_cut_short_is_the_audio_it_holds_whatever_its_header_says(frames):
    content = mp3_cut_short(frames)
    assert mutagen.File(io.BytesIO(content)).info.length == pytest.approx(5.04, abs=0.01)

    facts = analysed(content)

    # The decoder drops the encoder's delay (some 1,100 samples) from the frames' sound.
    assert facts.duration == pytest.approx(frames * MP3_FRAME_SECONDS - 0.025, abs=0.01)
    assert len(facts.waveform) == 800


def test_a_flac_that_cannot_be_decoded_to_its_end_is_damaged():
    with pytest.raises(AudioProblem) as problem:
        analysed(flac_damaged_in_its_middle())

    assert problem.value.reason == "This file is damaged: its audio cannot be read past 0:01."


@pytest.fixture
def time_limit_signal():
    """SIGUSR1 raising SoftTimeLimitExceeded, as in a Celery pool process at its soft time
    limit; ``send_after(seconds)`` sends it from another thread (the pool's parent process
    sends it from outside) and returns that thread."""

    def time_is_up(*_: object) -> None:
        raise SoftTimeLimitExceeded()

    previous = signal.signal(signal.SIGUSR1, time_is_up)
    timers: list[threading.Timer] = []

    def send_after(seconds: float) -> threading.Timer:
        timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGUSR1))
        timers.append(timer)
        timer.start()
        return timer

    yield send_after
    for timer in timers:
        timer.cancel()
    signal.signal(signal.SIGUSR1, previous)


def test_the_time_limit_stops_analysis_wherever_it_is(time_limit_signal):
    """Decoding through Python read callbacks, the exception was lost in one try of three
    and the song came out ready and too short."""
    content = mp3_frames_for(120)  # about a third of a second's work
    digest = hashlib.sha256(content).hexdigest()
    outcomes = []
    for _ in range(20):
        outcome = "stopped"
        timer = time_limit_signal(random.uniform(0.01, 0.25))
        try:
            facts = analyse(io.BytesIO(content), digest, TEN_MINUTES)
            outcome = f"ready, {facts.duration:.0f} s"
            timer.join()
            time.sleep(0.05)  # a signal sent after all is handled here
        except SoftTimeLimitExceeded:
            pass
        outcomes.append(outcome)

    assert set(outcomes) <= {"stopped", "ready, 120 s"}
    assert "stopped" in outcomes


@pytest.mark.parametrize("block", [1, 7, 1000, 65536, 300_000])
def test_peaks_do_not_depend_on_how_the_audio_is_cut_into_blocks(block):
    levels = np.abs(np.sin(np.arange(300_000, dtype="float32") / 1000))
    peaks = Peaks(3200)

    for start in range(0, len(levels), block):
        peaks.add(levels[start : start + block])

    expected = Peaks(3200)
    expected.add(levels)
    assert peaks.resampled(800) == expected.resampled(800)
    assert len(peaks.levels) < 2 * 3200  # memory stays bounded


def test_peaks_keep_the_loudest_level_of_each_part():
    levels = np.zeros(800_000, dtype="float32")
    levels[1000] = 0.5  # in the first part
    levels[799_999] = 1.0  # in the last

    peaks = Peaks(3200)
    peaks.add(levels)
    points = peaks.resampled(800)

    assert len(points) == 800
    assert points[0] == 0.5
    assert points[-1] == 1.0
    assert set(points[1:-1]) == {0.0}


@pytest.mark.parametrize(
    ("seconds", "spelled"),
    [(14400, "4 hours"), (3600, "1 hour"), (300, "5 minutes"), (90, "90 seconds"), (1, "1 second")],
)
def test_limits_are_spelled_for_people(seconds, spelled):
    assert spell_seconds(seconds) == spelled
