"""A refused edit shown as a conflict the editor can resolve, never as a generic error.

The editor page re-renders with what they typed still in its form (now based on the current
revision, so saving it again uses their version), and a panel names each field both changed:
their value, who saved it when, and the editor's. "Keep theirs" reloads the page; "Use mine"
sends the same form again on the current revision.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from agents.concurrency import EditConflict
from agents.edit_base import BASE_FIELD
from configuration.changes import ChangePath
from configuration.labels import quoted, settings_label
from configuration.snapshot import Snapshot
from ejento_staging.pages import CONFIRMED

CONFLICT_MESSAGE = (
    "Someone else saved a change here while you were editing, so nothing was saved. "
    "Your version is kept below: compare, then save it again or keep theirs."
)
# Never resent: the token comes fresh with the page, the base is the current revision, and
# the resent form is confirmed already (a delete asked before its first try).
NOT_RESENT = frozenset({"csrfmiddlewaretoken", BASE_FIELD, CONFIRMED})


def conflict_context(
    request: HttpRequest, snapshot: Snapshot, conflict: EditConflict
) -> dict[str, Any]:
    """What the conflict panel shows, and the form that sends the editor's version again."""
    titles = {f"instruction:{i['id']}": i["title"] for i in snapshot["instructions"]}
    return {
        "items": [
            {
                "label": _label(entry, titles),
                "theirs": _shown(entry["theirs"]),
                "yours": _shown(entry["yours"]),
                "changed_by": entry["changed_by"],
                "changed_at": entry["changed_at"],
            }
            for entry in conflict.extra["conflicts"]
        ],
        "resend_action": request.path,
        "confirmed_field": CONFIRMED,
        "resend_fields": [
            (name, value)
            for name in request.POST
            if name not in NOT_RESENT
            for value in request.POST.getlist(name)
        ],
    }


def _label(entry: dict[str, Any], titles: dict[str, str]) -> str:
    path = ChangePath.parse(entry["section"], entry["key"], entry["field"])
    if path.kind == "settings":
        return settings_label(path.field_key or path.field or "settings")
    if path.kind == "sharepoint":
        return f"SharePoint {path.field or 'folder'}".replace("_", " ")
    where = (
        f"Instruction {quoted(titles[entry['key']])}"
        if entry["key"] in titles
        else entry["key"].replace(":", " #")
    )
    if entry["field"] is None:
        return f"{where} (deleted on one side)"
    return f"{where}: {entry['field'].replace('_', ' ')}"


def _shown(value: Any) -> str:
    if value is None:
        return "(nothing: deleted or not set)"
    return value if isinstance(value, str) else repr(value)
