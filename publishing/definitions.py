"""Restoring onto Staging a snapshot whose catalogue definitions may be out of date.

Staging keeps the agent's own settings; every effective definition comes from today's
catalogue. ``resolve_definitions`` says what a restored snapshot becomes on Staging, and which
definitions it would lose - the restore, revert and checkpoint restore refuse those
(``DefinitionChanged``) rather than make something other than their preview showed.
"""

from __future__ import annotations

from agents.snapshot import with_current_definitions
from configuration.diff import DEFINITION, diff_snapshots
from configuration.labels import is_definition_recorded
from configuration.revert import Conflict
from configuration.snapshot import Snapshot

DEFINITION_DIFFERS = (
    "Defined differently in the catalogue today; Staging cannot hold another definition. An "
    "organization admin can change it in the catalogue."
)


def resolve_definitions(target: Snapshot) -> tuple[Snapshot, tuple[Conflict, ...]]:
    """What Staging becomes when ``target`` is written onto it, and the definitions that
    would not survive.

    Staging keeps the agent's own settings; each definition comes from today's catalogue.
    So a restored or reverted snapshot gets today's definitions - exactly what its preview
    shows - and where its own definition differs from today's (the catalogue changed since),
    that is a conflict naming the component: the rollback is refused rather than silently
    making something else. A snapshot stored before definitions were recorded has none to
    lose.
    """
    resolved = with_current_definitions(target)
    conflicts = tuple(
        Conflict(
            section=change.section,
            key=change.key,
            field=change.field,
            label=change.label,
            published=change.before,
            current=change.after,
            reverted_to=change.before,
            detail=DEFINITION_DIFFERS,
        )
        for change in diff_snapshots(target, resolved).changes
        if change.path.field == DEFINITION and not is_definition_recorded(change)
    )
    return resolved, conflicts
