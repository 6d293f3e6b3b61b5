"""Stored notifications: what the bell counts, kept across reloads until read."""
