"""The app's own signals, and the one place their receivers are connected.

Services send a signal after the fact is stored; receivers only enqueue a task or push a
notification, so side effects never run inside the request that caused them.
"""

from blinker import Namespace
from flask import Flask

_signals = Namespace()

#: A member asked the backbone for a round trip. Sent with ``user_id`` and ``sent_at``.
demo_ping = _signals.signal("demo-ping")

#: A song's audio was stored and the song saved as ``queued`` (new upload, replaced audio,
#: or re-queued). Sent with ``song_id``, ``owner_id`` and ``status`` (its status payload).
song_uploaded = _signals.signal("song-uploaded")

#: A rendered mail is ready to go. Sent with ``message`` (an app.mail.message.MailMessage).
mail_queued = _signals.signal("mail-queued")


def connect_receivers(app: Flask) -> None:
    """Connect every receiver to the signals ``app`` sends."""
    from app import receivers

    demo_ping.connect(receivers.enqueue_demo_pong, sender=app, weak=False)
    mail_queued.connect(receivers.enqueue_mail, sender=app, weak=False)
    song_uploaded.connect(receivers.enqueue_processing, sender=app, weak=False)
    song_uploaded.connect(receivers.push_song_status, sender=app, weak=False)
