"""Waveform peaks of audio whose length is known only once it has all been decoded.

A file's header may state any length, so the peaks cannot be sliced by it: slices start one
frame long and double in length whenever twice the wanted number have been kept, so memory
stays bounded and the work per decoded frame is constant, whatever the file holds.
"""

from __future__ import annotations

import numpy as np


class Peaks:
    """The loudest level of each slice of frames, in order, for at least ``slices`` equal
    slices once as many frames have been added (fewer for shorter audio)."""

    def __init__(self, slices: int) -> None:
        self.slices = slices
        self.slice_frames = 1
        self.levels = np.empty(0, dtype="float32")
        # The slice being filled: its loudest level so far, and how many frames it has.
        self.open_level = 0.0
        self.open_frames = 0

    def add(self, levels: np.ndarray) -> None:
        """Add the levels (0 to 1) of the next frames, one value a frame."""
        if self.open_frames:
            head = levels[: self.slice_frames - self.open_frames]
            self.open_level = max(self.open_level, float(head.max(initial=0.0)))
            self.open_frames += len(head)
            levels = levels[len(head) :]
            if self.open_frames < self.slice_frames:
                return
            self.levels = np.append(self.levels, np.float32(self.open_level))
            self.open_level, self.open_frames = 0.0, 0
        whole = len(levels) // self.slice_frames * self.slice_frames
        if whole:
            slices = levels[:whole].reshape(-1, self.slice_frames).max(axis=1)
            self.levels = np.concatenate([self.levels, slices])
        if whole < len(levels):
            self.open_level = float(levels[whole:].max())
            self.open_frames = len(levels) - whole
        while len(self.levels) >= 2 * self.slices:
            self._double_the_slices()

    def _double_the_slices(self) -> None:
        pairs = len(self.levels) // 2
        merged = self.levels[: 2 * pairs].reshape(-1, 2).max(axis=1)
        if len(self.levels) % 2:
            # The last whole slice and the open one, together shorter than a new slice,
            # become the open slice.
            self.open_level = max(self.open_level, float(self.levels[-1]))
            self.open_frames += self.slice_frames
        self.levels = merged
        self.slice_frames *= 2

    def resampled(self, points: int) -> list[float]:
        """The peaks as about ``points`` levels from 0 to 1 (fewer for very short audio)."""
        levels = self.levels
        if self.open_frames:
            levels = np.append(levels, np.float32(self.open_level))
        if not len(levels):
            return []
        parts = np.array_split(levels, min(points, len(levels)))
        return [round(min(float(part.max()), 1.0), 4) for part in parts if len(part)]
