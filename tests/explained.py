"""What the database reads to answer a page: every ``find`` the page sends, recorded with
a pymongo command listener and asked again with ``explain`` (executionStats), which both
SecantusDB and MongoDB answer with the documents the query examines."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pymongo import monitoring
from pymongo.database import Database


@dataclass(frozen=True)
class Examined:
    """One ``find``: its collection and filter, the documents it examined, and whether
    its plan scans the collection or filters documents the index did not select."""

    collection: str
    filter: dict
    documents: int
    scans: bool


class FindRecorder(monitoring.CommandListener):
    """Keeps the ``find`` commands sent while ``recording()`` is active."""

    def __init__(self) -> None:
        self.finds: list[dict] | None = None

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.finds is not None and event.command_name == "find":
            self.finds.append(dict(event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    @contextmanager
    def recording(self) -> Iterator[list[dict]]:
        self.finds = []
        try:
            yield self.finds
        finally:
            self.finds = None


RECORDER = FindRecorder()
monitoring.register(RECORDER)  # for clients made from now on: each test's app makes its own


def explain(database: Database, finds: list[dict]) -> list[Examined]:
    """Each recorded ``find`` explained: documents examined and whether it scans."""
    examined = []
    for find in finds:
        command = {
            key: find[key] for key in ("find", "filter", "sort", "limit", "hint") if key in find
        }
        answer = database.command({"explain": command, "verbosity": "executionStats"})
        stats = answer.get("executionStats", {})
        examined.append(
            Examined(
                collection=command["find"],
                filter=command.get("filter", {}),
                documents=stats.get("totalDocsExamined", 0),
                scans=_scans(answer["queryPlanner"]["winningPlan"]),
            )
        )
    return examined


def _scans(stage: dict) -> bool:
    """True if the plan reads the whole collection or re-checks fetched documents."""
    if stage.get("stage") == "COLLSCAN":
        return True
    if stage.get("stage") == "FETCH" and stage.get("filter"):
        return True
    return any(_scans(child) for child in _children(stage))


def _children(stage: dict) -> list[dict]:
    children = [stage[key] for key in ("inputStage", "queryPlan") if key in stage]
    return children + list(stage.get("inputStages", []))
