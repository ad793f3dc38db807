"""An agent's knowledge sources: connected corpora and its SharePoint folder (editors).

A corpus is connected only from the agent's own organization, and at most once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError

from agents import validation
from agents.models import Agent, Corpus, CorpusConnection, StagingConfiguration
from agents.permissions import Role, require_role
from agents.reasons import item_reason, named, several
from agents.services.common import require_flag, require_id, update_changed
from agents.staging import staging_edit


def _corpus_ids(corpus_ids: Iterable[Any]) -> list[int]:
    """A non-empty list of JSON integers (strings of digits are not ids in a body list)."""
    ids = list(corpus_ids)
    if not ids:
        raise ValidationError({"corpus_ids": ["Give at least one corpus id."]})
    if any(isinstance(pk, bool) or not isinstance(pk, int) for pk in ids):
        raise ValidationError({"corpus_ids": ["Must be a list of corpus ids."]})
    return ids


def _corpora_of_organization(agent: Agent, ids: list[int]) -> dict[int, Corpus]:
    """The corpora, which must exist in the agent's organization; 400 naming the others."""
    if len(ids) != len(set(ids)):
        raise ValidationError({"corpus_ids": ["The same corpus is listed twice."]})
    found = {
        c.pk: c
        for c in Corpus.objects.filter(
            pk__in=ids, project__organization_id=agent.project.organization_id
        )
    }
    unknown = [pk for pk in ids if pk not in found]
    if unknown:
        raise ValidationError(
            {"corpus_ids": [f"Unknown corpus id(s) for this organization: {unknown}."]}
        )
    return found


def connect_corpora(
    *,
    agent: Agent,
    acting_user: Any,
    corpus_ids: list[int],
    settings: dict[str, Any] | None = None,
) -> list[CorpusConnection]:
    """Connect several corpora at once; refused whole if any is unknown or already connected."""
    require_role(acting_user, agent, Role.EDITOR)
    corpus_ids = _corpus_ids(corpus_ids)
    corpora = _corpora_of_organization(agent, corpus_ids)
    cleaned = validation.clean_corpus_settings(
        settings if settings is not None else dict(validation.DEFAULT_CORPUS_SETTINGS)
    )
    reason = several("Corpus", "corpora", [corpora[pk].name for pk in corpus_ids], "connected")
    with staging_edit(agent, acting_user=acting_user, reason=reason) as change:
        already = set(
            CorpusConnection.objects.filter(agent_id=agent.pk, corpus_id__in=corpora).values_list(
                "corpus_id", flat=True
            )
        )
        if already:
            raise ValidationError(
                {"corpus_ids": [f"Already connected to this agent: {sorted(already)}."]}
            )
        made = [
            change.create(
                CorpusConnection(agent_id=agent.pk, corpus=corpora[pk], settings=dict(cleaned))
            )
            for pk in corpus_ids
        ]
    return made


def disconnect_corpora(*, agent: Agent, acting_user: Any, corpus_ids: list[int]) -> int:
    require_role(acting_user, agent, Role.EDITOR)
    corpus_ids = [require_id(pk, "corpus_ids") for pk in _corpus_ids(corpus_ids)]
    with staging_edit(agent, acting_user=acting_user, reason="Corpora disconnected") as change:
        connections = list(
            CorpusConnection.objects.filter(
                agent_id=agent.pk, corpus_id__in=corpus_ids
            ).select_related("corpus")
        )
        missing = sorted(set(corpus_ids) - {c.corpus_id for c in connections})
        if missing:
            raise ValidationError({"corpus_ids": [f"Not connected to this agent: {missing}."]})
        change.reason = several(
            "Corpus", "corpora", [c.corpus.name for c in connections], "disconnected"
        )
        for connection in connections:
            change.delete(connection)
    return len(connections)


def set_corpus_connection(
    *,
    agent: Agent,
    acting_user: Any,
    corpus_id: Any,
    enabled: bool | None = None,
    settings: dict[str, Any] | None = None,
    create: bool = False,
) -> tuple[CorpusConnection, bool]:
    """Change one connection's settings (``create=True``: connect it first; 409-free upsert).

    Answers the connection and whether it was made by this call, decided under the agent's
    lock, so a caller reporting "created" cannot be told otherwise by a concurrent edit.
    """
    require_role(acting_user, agent, Role.EDITOR)
    pk = require_id(corpus_id, "corpus_id")
    corpus = _corpora_of_organization(agent, [pk])[pk]
    enabled = require_flag(enabled, optional=True)
    cleaned = validation.clean_corpus_settings(settings) if settings is not None else None
    reason = f"{named('Corpus', corpus.name)} connected"
    with staging_edit(agent, acting_user=acting_user, reason=reason) as change:
        connection = CorpusConnection.objects.filter(agent_id=agent.pk, corpus_id=corpus.pk).first()
        if connection is None:
            if not create:
                raise CorpusConnection.DoesNotExist("This corpus is not connected to the agent.")
            connection = CorpusConnection(
                agent_id=agent.pk,
                corpus=corpus,
                enabled=True if enabled is None else enabled,
                settings=cleaned
                if cleaned is not None
                else dict(validation.DEFAULT_CORPUS_SETTINGS),
            )
            change.create(connection)
            return connection, True
        before = update_changed(change, connection, enabled=enabled, settings=cleaned)
        change.reason = item_reason(
            "Corpus", corpus.name, before, {"enabled": enabled, "settings": cleaned}
        )
    connection.corpus = corpus
    return connection, False


def set_sharepoint_folder(
    *, agent: Agent, acting_user: Any, site_url: str, folder_path: str
) -> StagingConfiguration:
    require_role(acting_user, agent, Role.EDITOR)
    url, path = validation.clean_sharepoint(site_url, folder_path)
    with staging_edit(agent, acting_user=acting_user, reason="SharePoint folder set") as change:
        change.set_settings(sharepoint_site_url=url, sharepoint_folder_path=path)
    return change.staging


def clear_sharepoint_folder(*, agent: Agent, acting_user: Any) -> StagingConfiguration:
    require_role(acting_user, agent, Role.EDITOR)
    with staging_edit(agent, acting_user=acting_user, reason="SharePoint folder removed") as change:
        change.set_settings(sharepoint_site_url="", sharepoint_folder_path="")
    return change.staging
