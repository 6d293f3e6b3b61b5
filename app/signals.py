"""The app's own signals.

Services send a signal after the fact is stored; the receivers in app/receivers.py,
connected by the app factory, only hand the work to a Celery task, so side effects never
run inside the request that caused them. This module imports nothing of the app.
"""

from blinker import Namespace

_signals = Namespace()

#: A song was stored as ``queued`` and awaits processing: sent by
#: :func:`app.library.pipeline.queue_song` after a new upload, replaced audio or a
#: re-process, once the status is stored and pushed to the owner. Sent by the app with
#: ``song_id`` (str).
song_queued = _signals.signal("song-queued")

#: A rendered mail is ready to go: sent by :func:`app.mail.services.queue_mail` with
#: ``message`` (an :class:`app.mail.message.MailMessage`).
mail_queued = _signals.signal("mail-queued")

#: An account's sessions ended: it was deactivated, deleted or signed out everywhere, so
#: none of its sessions, tokens or open sockets may go on. Sent by
#: :mod:`app.accounts.services` once the change is stored, with ``user_id`` (str).
sessions_ended = _signals.signal("sessions-ended")

#: One browser session of an account was signed out from another one: sent by
#: :func:`app.accounts.sessions.sign_out_session` once its record is marked ended, with
#: ``session_id`` (str, the login id its sockets' room is named after).
session_signed_out = _signals.signal("session-signed-out")

#: A member asked for their account to be deleted: sent by
#: :func:`app.accounts.deletion.request_deletion` once the account is deactivated and
#: signed out everywhere, with ``user_id`` (str).
account_deletion_requested = _signals.signal("account-deletion-requested")

#: A member asked for an archive of their data: sent by
#: :func:`app.exports.services.start_export` once the export is stored as ``queued``,
#: with ``export_id`` (str).
export_requested = _signals.signal("export-requested")
