"""The development outbox: each delivered mail is one JSON file under instance/outbox."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.mail.message import MailMessage

_ID_LENGTH = 32


@dataclass(frozen=True)
class OutboxEntry:
    id: str
    delivered_at: str
    message: MailMessage


def outbox_folder(instance_path: str) -> Path:
    return Path(instance_path) / "outbox"


def save(folder: Path, message: MailMessage) -> OutboxEntry:
    """Write ``message`` atomically (temp file + rename), so readers never see half a mail."""
    folder.mkdir(parents=True, exist_ok=True)
    delivered_at = datetime.now(UTC).isoformat(timespec="microseconds")
    entry_id = uuid.uuid4().hex
    record = {"id": entry_id, "delivered_at": delivered_at, "message": message.to_dict()}
    stamp = delivered_at.replace(":", "").replace("-", "").replace(".", "")
    temporary = folder / f".{entry_id}.tmp"
    temporary.write_text(json.dumps(record))
    temporary.rename(folder / f"{stamp}-{entry_id}.json")
    return OutboxEntry(entry_id, delivered_at, message)


def _load(path: Path) -> OutboxEntry:
    record = json.loads(path.read_text())
    return OutboxEntry(
        record["id"], record["delivered_at"], MailMessage.from_dict(record["message"])
    )


def entries(folder: Path) -> list[OutboxEntry]:
    """Every mail in the outbox, newest first."""
    if not folder.is_dir():
        return []
    return [_load(path) for path in sorted(folder.glob("*.json"), reverse=True)]


def find(folder: Path, entry_id: str) -> OutboxEntry | None:
    if len(entry_id) != _ID_LENGTH or not entry_id.isalnum():
        return None
    matches = list(folder.glob(f"*-{entry_id}.json")) if folder.is_dir() else []
    return _load(matches[0]) if matches else None
