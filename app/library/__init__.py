"""The song library: albums and songs, their audio in GridFS, upload and playback."""
