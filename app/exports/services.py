"""Exports of a member's data: start one, build it (in a worker), download it, expire it.

The archive is written straight into GridFS (bucket ``exports``) as the worker makes it,
never whole in memory or on disk (app/exports/archive.py). Progress and the outcome are
pushed to the member's open pages (events ``export.progress``, ``export.ready``,
``export.failed``). Views and the API come through here; the tasks in tasks/exports.py
call :func:`build_export` and :func:`remove_expired_exports`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from babel.units import format_unit
from bson import ObjectId
from flask import current_app, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from app.accounts.models import User
from app.config import N_
from app.errors import Conflict, Gone
from app.exports.archive import write_archive
from app.exports.models import Export
from app.i18n.selection import language_for, request_language
from app.library.models import Album, Song
from app.realtime import notify
from app.signals import export_requested
from app.storage import EXPORTS_BUCKET, StorageError, delete_file, open_writer

ZIP_TYPE = "application/zip"
#: An export still queued or building this long after it was asked for is taken to be
#: lost (its worker failed for good): it no longer stops the member from starting another.
STALE_EXPORT = timedelta(hours=1)

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def _ttl() -> timedelta:
    return timedelta(hours=current_app.config["EXPORT_TTL_HOURS"])


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_expired(export: Export) -> bool:
    return _aware(export.expires_at) <= _now()


def latest_export(user: User) -> Export | None:
    """The member's most recent export, if any is left."""
    return Export.objects(owner=user).order_by("-created_at").first()


def start_export(user: User) -> Export:
    """Queue an archive of ``user``'s data; Conflict while another is being made (one
    older than STALE_EXPORT is given up instead)."""
    busy = Export.objects(owner=user, state__in=["queued", "building"]).first()
    if busy is not None:
        if _aware(busy.created_at) > _now() - STALE_EXPORT:
            raise Conflict(
                _("An export of your data is being made already: wait for it to finish.")
            )
        _fail(busy, N_("It took too long and was given up."))
    export = Export(owner=user, expires_at=_now() + _ttl()).save()
    export_requested.send(current_app._get_current_object(), export_id=str(export.id))
    return export


def download_url(export: Export) -> str:
    return url_for("exports.download", export_id=export.id, _external=False)


def _announce(export: Export, event: str) -> None:
    payload = export.payload
    if export.state == "ready":
        payload["url"] = download_url(export)
    notify(str(export.owner.id), event, payload)


def build_export(export_id: str) -> str:
    """Write the archive of a queued export into GridFS and mark it ready; returns the
    final state, for the logs.

    Safe to run again: an export that is ready, failed, expired or gone is left alone;
    one whose worker died while building starts over, after deleting what that worker
    had written."""
    export = Export.objects(id=export_id).first()
    if export is None or export.state in ("ready", "failed") or is_expired(export):
        return "skipped"
    if export.file_id is not None:
        delete_file(export.file_id, bucket=EXPORTS_BUCKET)
    file_id = ObjectId()
    export.modify(set__state="building", set__progress=0, set__file_id=file_id)
    user = export.owner
    filename = f"encore-{user.username}-{_now():%Y-%m-%d}.zip"
    albums = list(Album.objects(owner=user).order_by("title_key", "id"))
    songs = list(Song.objects(owner=user).exclude("waveform").order_by("seq", "id"))
    progress = _Progress(export)
    try:
        with open_writer(
            file_id, original_filename=filename, content_type=ZIP_TYPE, bucket=EXPORTS_BUCKET
        ) as out:
            write_archive(out, user, albums, songs, progress.update)
    except StorageError as error:
        log.warning("export %s failed: %s", export_id, error)
        return _fail(export, N_("A song changed or went missing while it was being exported."))
    stored = out.stored
    ready = Export.objects(id=export.id, state="building", file_id=file_id).update_one(
        set__state="ready",
        set__progress=100,
        set__filename=filename,
        set__size=stored.size,
        set__sha256=stored.sha256,
        set__ready_at=_now(),
        set__expires_at=_now() + _ttl(),
    )
    if not ready:  # deleted or restarted meanwhile: this archive belongs to nobody
        delete_file(file_id, bucket=EXPORTS_BUCKET)
        return "skipped"
    export.reload()
    _announce(export, "export.ready")
    return "ready"


def give_up_export(export_id: str, reason: str) -> None:
    """Mark an export that will never be made as failed, saying why (``reason`` in
    English, marked ``N_``: it is stored in the owner's language)."""
    export = Export.objects(id=export_id).first()
    if export is not None:
        _fail(export, reason)


def _fail(export: Export, reason: str) -> str:
    """Store ``reason`` (English, marked ``N_``) in the owner's language."""
    with force_locale(language_for(export.owner, request_language())):
        reason = _(reason)
    export.modify(set__state="failed", set__reason=reason)
    _announce(export, "export.failed")
    return "failed"


class _Progress:
    """Stores and pushes an export's progress each time it passes a whole percent."""

    def __init__(self, export: Export) -> None:
        self.export = export
        _announce(export, "export.progress")

    def update(self, done: int, total: int) -> None:
        percent = min(99, done * 100 // total) if total else 99
        if percent > self.export.progress:
            self.export.modify(set__progress=percent)
            _announce(self.export, "export.progress")


def downloadable_export(user: User, export_id: str) -> Export:
    """``user``'s export, ready and not expired. NotFound for anyone else's (never 403:
    other people's exports cannot be discovered), Gone once expired, Conflict while it is
    still being made."""
    export = Export.objects(owner=user).get_or_404(
        id=export_id, _message_404=_("No such export of your data.")
    )
    if is_expired(export):
        raise Gone(
            _(
                "This export has expired: exports can be downloaded for %(within)s. "
                "Start a new one on your account page.",
                within=format_unit(
                    current_app.config["EXPORT_TTL_HOURS"],
                    "duration-hour",
                    "long",
                    locale=get_locale(),
                ),
            )
        )
    if export.state == "failed":
        raise Gone(
            _(
                "This export failed: %(reason)s Start a new one on your account page.",
                reason=export.reason,
            )
        )
    if export.state != "ready":
        raise Conflict(_("This export is not ready yet: its link appears on your account page."))
    return export


def delete_export(export: Export) -> None:
    """Delete the export's archive (file and chunks, even of a write cut short), then the
    export."""
    if export.file_id is not None:
        delete_file(export.file_id, bucket=EXPORTS_BUCKET)
    export.delete()


def remove_expired_exports() -> int:
    """Delete every export past its ``expires_at`` with its archive; returns how many. Run
    by Celery beat."""
    expired = list(Export.objects(expires_at__lt=_now()))
    for export in expired:
        delete_export(export)
    return len(expired)


def delete_exports_of(user: User) -> None:
    """Delete every export of ``user`` with its archive."""
    for export in Export.objects(owner=user):
        delete_export(export)
