"""The home page and the live-update demo."""
