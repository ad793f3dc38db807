"""Read-side queries: the review diff, publish history and the edit history.

Each costs a fixed number of queries whatever the size of the agent or its history; list
queries never load snapshots or change lists (``LIST_FIELDS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce

from agents.models import Agent, Corpus, Guardrail, StagingConfiguration, Tool, ToolAction
from agents.snapshot import catalogue_at, staging_snapshot
from agents.staging import staging_rows_at
from configuration.checks import run_builtin_checks
from configuration.diff import Change, Diff, diff_snapshots
from configuration.snapshot import Snapshot, build_snapshot, combine_fingerprints
from ejento_staging.ids import parse_id
from publishing.authors import Attribution, Author, LastPublish, attribute
from publishing.definitions import resolve_definitions
from publishing.models import ProductionConfiguration, PublishRecord

LIST_FIELDS = (
    "id",
    "change_track_id",
    "agent_id",
    "sequence",
    "published_by_id",
    "published_by_username",
    "published_at",
    "notes",
    "summary",
    "counts",
    "previous_id",
    "restored_from_id",
    "restored_mode",
    "broke_glass",
)
# Later than any publish: the bound after the newest checkpoint, which has no next one.
FAR_FUTURE = datetime.max.replace(tzinfo=UTC)
# What a publish record shows of the schedule it came from, if any.
SCHEDULE_FIELDS = (
    "schedule__id",
    "schedule__publish_at",
    "schedule__created_at",
    "schedule__scheduled_by_id",
    "schedule__scheduled_by_username",
)


@dataclass(frozen=True)
class Review:
    """Staging against Production, computed once per request from one snapshot each.

    ``attribution``: who is behind each change since the last publish, when asked for
    (``review_staging(with_authors=True)``).
    """

    staging: Snapshot
    production: Snapshot | None
    diff: Diff
    fingerprint: str
    attribution: Attribution | None = None

    @property
    def rows(self) -> list[tuple[Change, tuple[Author, ...]]]:
        """Each change with its authors (none when not attributed)."""
        authors = self.attribution.authors if self.attribution else ((),) * len(self.diff.changes)
        return list(zip(self.diff.changes, authors, strict=True))

    def as_dict(self) -> dict[str, Any]:
        changes = []
        for change, authors in self.rows:
            entry = change.as_dict()
            if self.attribution is not None:
                entry["authors"] = [author.as_dict() for author in authors]
            changes.append(entry)
        data = {
            "has_changes": self.diff.has_changes,
            "fingerprint": self.fingerprint,
            "before": "production",
            "after": "staging",
            "published": self.production is not None,
            "counts": self.diff.counts,
            "summary": self.diff.summary,
            "changes": changes,
            # Read from the snapshot already built for the diff: no query more.
            "builtin_checks": [result.as_dict() for result in run_builtin_checks(self.staging)],
        }
        if self.attribution is not None:
            data["contributors"] = [a.as_dict() for a in self.attribution.contributors]
        return data


def production_state(agent: Agent) -> tuple[Snapshot | None, str | None]:
    """Production's snapshot and fingerprint, or (None, None) before the first publish."""
    snapshot, fingerprint, _last_publish = production_row(agent)
    return snapshot, fingerprint


def production_row(agent: Agent) -> tuple[Snapshot | None, str | None, LastPublish]:
    """Production's snapshot and fingerprint, and the last publish's Staging revision and
    time (``publishing.authors.LastPublish``), in one query; all None before the first."""
    row = (
        ProductionConfiguration.objects.filter(agent_id=agent.pk)
        .values_list("snapshot", "fingerprint", "staging_revision", "published_at")
        .first()
    )
    if row is None:
        return None, None, (None, None)
    return row[0], row[1], (row[2], row[3])


def production_snapshot(agent: Agent) -> Snapshot | None:
    return production_row(agent)[0]


def review_staging(agent: Agent, *, with_authors: bool = False) -> Review:
    """Staging against Production: one snapshot each, the stored fingerprints reused.

    ``with_authors``: each change with who made it since the last publish (a query more per
    Staging model the changes touch, at most six, whatever the size of the agent or its
    history).
    """
    staging_row = StagingConfiguration.objects.get(agent_id=agent.pk)
    staging = staging_snapshot(agent, staging=staging_row)
    production, production_fingerprint, last_publish = production_row(agent)
    diff = diff_snapshots(production, staging)
    return Review(
        staging=staging,
        production=production,
        diff=diff,
        fingerprint=combine_fingerprints(production_fingerprint, staging_row.fingerprint),
        attribution=(attribute(agent.pk, last_publish, diff.changes) if with_authors else None),
    )


def publish_records(
    *,
    agent: Agent,
    published_by: int | None = None,
    published_after: datetime | None = None,
    published_before: datetime | None = None,
    broke_glass: bool | None = None,
) -> QuerySet[PublishRecord]:
    """An agent's publish records, newest first, without snapshots or change lists.

    A break-glass publish's reason comes out of its gate on its own (``break_glass_reason``):
    the history shows it, and the rest of the gate stays unloaded.
    """
    records = (
        PublishRecord.objects.filter(agent_id=agent.pk)
        .select_related("restored_from", "previous", "schedule")
        .only(
            *LIST_FIELDS,
            "restored_from__change_track_id",
            "restored_from__sequence",
            "previous__change_track_id",
            *SCHEDULE_FIELDS,
        )
        .annotate(break_glass_reason=KT("gate__break_glass__reason"))
        .order_by("-sequence")
    )
    return records.filter(
        **_given(
            published_by_id=published_by,
            published_at__gte=published_after,
            published_at__lte=published_before,
            broke_glass=broke_glass,
        )
    )


def _given(**lookups: Any) -> dict[str, Any]:
    """The lookups of a history's filter that were given: None leaves one out."""
    return {lookup: value for lookup, value in lookups.items() if value is not None}


def _people(rows: QuerySet[Any], id_field: str, name_field: str) -> list[tuple[int, str]]:
    """The distinct (id, username) pairs of ``rows``, by name: a history's user filter."""
    pairs = rows.order_by().values_list(id_field, name_field).distinct()
    return sorted(set(pairs), key=lambda pair: pair[1].lower())


def publishers(agent: Agent) -> list[tuple[int, str]]:
    """Who has published this agent."""
    records = PublishRecord.objects.filter(agent_id=agent.pk, published_by__isnull=False)
    return _people(records, "published_by_id", "published_by_username")


def get_publish_record(*, agent: Agent, change_track_id: Any) -> PublishRecord:
    """One of this agent's records; another agent's id is as unknown as a made-up one."""
    return PublishRecord.objects.select_related("restored_from", "previous", "schedule").get(
        agent_id=agent.pk, change_track_id=change_track_id
    )


def edit_history(
    agent: Agent,
    *,
    changed_by: int | None = None,
    changed_after: datetime | None = None,
    changed_before: datetime | None = None,
) -> QuerySet[Any]:
    """The checkpoints of Staging, newest first (one per edit), each with the publish that
    took it live, if any (``published_sequence``, ``published_track_id``; else None).

    A publish record keeps no Staging revision, but a publish copies Staging as it stands
    under the agent's lock: the checkpoint it took live is the newest one made before it,
    and its fingerprint is the record's. A checkpoint is marked only when both hold, so a
    record whose fingerprint matches no checkpoint (one older than the fingerprints kept in
    the history) marks none rather than a guess. Both are subqueries: no query more.
    """
    history = StagingConfiguration.history
    next_at = Subquery(
        history.filter(agent_id=OuterRef("agent_id"), revision__gt=OuterRef("revision"))
        .order_by("revision")
        .values("history_date")[:1]
    )
    published = (
        PublishRecord.objects.filter(
            agent_id=OuterRef("agent_id"),
            fingerprint=OuterRef("fingerprint"),
            published_at__gte=OuterRef("history_date"),
            published_at__lt=Coalesce(OuterRef("next_at"), Value(FAR_FUTURE)),
        )
        .exclude(fingerprint="")
        .order_by("sequence")
    )
    checkpoints = (
        history.filter(agent_id=agent.pk)
        .select_related("history_user")
        .only(
            "history_id",
            "history_date",
            "history_change_reason",
            "history_type",
            "revision",
            "fingerprint",
            "agent_id",
            "history_user__id",
            "history_user__username",
            "history_username",
        )
        .annotate(next_at=next_at)
        .annotate(
            published_sequence=Subquery(published.values("sequence")[:1]),
            published_track_id=Subquery(published.values("change_track_id")[:1]),
        )
        .order_by("-revision", "-history_id")
    )
    return checkpoints.filter(
        **_given(
            history_user_id=changed_by,
            history_date__gte=changed_after,
            history_date__lte=changed_before,
        )
    )


def editors(agent: Agent) -> list[tuple[int, str]]:
    """Who has edited this agent's Staging."""
    history = StagingConfiguration.history.filter(agent_id=agent.pk, history_user__isnull=False)
    return _people(history, "history_user_id", "history_user__username")


def get_checkpoint(*, agent: Agent, history_id: Any) -> Any:
    pk = parse_id(history_id)
    if pk is None:
        raise StagingConfiguration.DoesNotExist("No such checkpoint.")
    # All its fields, and the publish that took it live, as the list has it.
    checkpoint = edit_history(agent).filter(history_id=pk).defer(None).first()
    if checkpoint is None:
        raise StagingConfiguration.DoesNotExist("No such checkpoint.")
    return checkpoint


def checkpoint_snapshot(*, agent_id: int, revision: int, for_restore: bool = False) -> Snapshot:
    """Staging as it was at ``revision``, rebuilt from simple-history's records.

    Definitions are the catalogue's at the checkpoint's time (``agents.snapshot.catalogue_at``).

    A tool action deleted from the catalogue since cannot be placed in the snapshot (its
    tool is known only through the action). Shown, the checkpoint leaves it out, and other
    departed components show as "(deleted)"; for a restore (``for_restore``) any component
    that left the catalogue refuses it, rather than being dropped without a word.
    """
    rows = staging_rows_at(agent_id, revision)
    at = rows["staging"].history_date
    corpora = catalogue_at(Corpus, {r.corpus_id for r in rows["CorpusConnection"]}, at)
    tools = catalogue_at(Tool, {r.tool_id for r in rows["ToolBinding"]}, at)
    actions = catalogue_at(ToolAction, {r.action_id for r in rows["ActionSetting"]}, at)
    guardrails = catalogue_at(Guardrail, {r.guardrail_id for r in rows["GuardrailSetting"]}, at)
    departed = {
        label: sorted({getattr(r, key) for r in rows[model]} - set(found))
        for label, model, key, found in (
            ("knowledge source", "CorpusConnection", "corpus_id", corpora),
            ("tool", "ToolBinding", "tool_id", tools),
            ("tool action", "ActionSetting", "action_id", actions),
            ("guardrail", "GuardrailSetting", "guardrail_id", guardrails),
        )
    }
    if for_restore and any(departed.values()):
        # Refused in the preview, before anyone confirms, in the words the restore uses.
        raise ValidationError(
            {
                "snapshot": [
                    f"The {label}(s) {ids} no longer exist in the catalogue."
                    for label, ids in departed.items()
                    if ids
                ]
            }
        )
    gone = SimpleNamespace(name="(deleted)", kind="", type="", tool_id=None)

    def attach(records: list[Any], attr: str, key: str, catalogue: dict[int, Any]) -> list[Any]:
        return [
            SimpleNamespace(
                **{f.attname: getattr(r, f.attname) for f in r.instance_type._meta.fields},
                **{attr: catalogue.get(getattr(r, key), gone)},
            )
            for r in records
        ]

    return build_snapshot(
        staging=rows["staging"],
        instructions=rows["Instruction"],
        corpus_connections=attach(rows["CorpusConnection"], "corpus", "corpus_id", corpora),
        tool_bindings=attach(rows["ToolBinding"], "tool", "tool_id", tools),
        action_settings=attach(rows["ActionSetting"], "action", "action_id", actions),
        guardrail_settings=attach(
            rows["GuardrailSetting"], "guardrail", "guardrail_id", guardrails
        ),
    )


def checkpoint_diff(*, agent: Agent, checkpoint: Any, after: Snapshot | None = None) -> Diff:
    """What one checkpoint changed against the one before it.

    ``after``: the checkpoint's snapshot when the caller has it already (a restore preview).
    """
    if after is None:
        after = checkpoint_snapshot(agent_id=agent.pk, revision=checkpoint.revision)
    before_revision = (
        StagingConfiguration.history.filter(agent_id=agent.pk, revision__lt=checkpoint.revision)
        .order_by("-revision")
        .values_list("revision", flat=True)
        .first()
    )
    before = (
        checkpoint_snapshot(agent_id=agent.pk, revision=before_revision)
        if before_revision is not None
        else None
    )
    return diff_snapshots(before, after)


@dataclass(frozen=True)
class CheckpointPreview:
    """A checkpoint: what its edit changed, and what restoring it would do.

    ``staging_diff``: Staging now against the checkpoint; ``production_diff``: Production now
    against it, what a publish right after the restore would change. ``refusal``: why the
    checkpoint cannot be restored (a component that left the catalogue), if it cannot.
    """

    edit_diff: Diff
    staging_diff: Diff
    production_diff: Diff
    refusal: tuple[str, ...]


def checkpoint_preview(*, agent: Agent, checkpoint: Any) -> CheckpointPreview:
    """Built from one snapshot of the checkpoint, one of Staging and one of Production."""
    refusal: tuple[str, ...] = ()
    try:
        target = checkpoint_snapshot(
            agent_id=agent.pk, revision=checkpoint.revision, for_restore=True
        )
    except ValidationError as exc:
        refusal = tuple(exc.messages)
        target = checkpoint_snapshot(agent_id=agent.pk, revision=checkpoint.revision)
    restored, lost = resolve_definitions(target)
    refusal += tuple(f"{c.label}: {c.detail}" for c in lost)
    production, _fingerprint = production_state(agent)
    return CheckpointPreview(
        edit_diff=checkpoint_diff(agent=agent, checkpoint=checkpoint, after=target),
        staging_diff=diff_snapshots(staging_snapshot(agent), restored),
        production_diff=diff_snapshots(production, restored),
        refusal=refusal,
    )
