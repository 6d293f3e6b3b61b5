"""Exports: a member's data (account, albums, songs and their audio) as one zip archive,
made by a worker and downloadable for EXPORT_TTL_HOURS."""
