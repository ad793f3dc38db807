"""Staging edits of the knowledge sources: corpus connections and the SharePoint folder."""

from __future__ import annotations

from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from agents import services
from agents.api.base import DeleteWithBodySchema, JSONView, load_agent, path_id, validated
from agents.api.edits import agent_response, edit_staging
from agents.api.representation import staging_item, staging_items
from agents.api.schema import (
    AGENT_ID,
    CORPUS_ID,
    agent_edit_schema,
    staging_delete_schema,
    staging_edit_schema,
)
from agents.models import Agent, Corpus, CorpusConnection
from agents.permissions import Role
from agents.serializers.agents import CorpusConnectionSerializer
from agents.serializers.staging import (
    CorpusConnectionUpdateSerializer,
    CorpusConnectSerializer,
    CorpusIdsSerializer,
    SharePointFolderSerializer,
)


class CorporaView(JSONView):
    schema = DeleteWithBodySchema()

    @staging_edit_schema(
        "Connect several corpora at once",
        operation_id="v2_agents_corpora_connect",
        description="Refused whole (400) if any corpus is unknown to the agent's organization "
        "or already connected.",
        request=CorpusConnectSerializer,
        ok={201: CorpusConnectionSerializer(many=True)},
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        data = validated(CorpusConnectSerializer, request)
        ids = list(data["corpus_ids"])
        settings = dict(data["settings"]) if "settings" in data else None
        services.connect_corpora(
            agent=agent, acting_user=request.user, corpus_ids=ids, settings=settings
        )
        return Response(staging_items(agent, "corpora", ids), status=status.HTTP_201_CREATED)

    @staging_edit_schema(
        "Disconnect several corpora at once",
        operation_id="v2_agents_corpora_disconnect",
        description="Refused whole (400) if any of them is not connected.",
        request=CorpusIdsSerializer,
        ok={204: None},
    )
    def delete(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        data = validated(CorpusIdsSerializer, request)
        services.disconnect_corpora(
            agent=agent, acting_user=request.user, corpus_ids=list(data["corpus_ids"])
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CorpusConnectionView(JSONView):
    def _corpus(self, agent: Agent, corpus_id: str) -> int:
        """The corpus in the path, which must belong to the agent's organization (else 404)."""
        pk = path_id(corpus_id, "No such corpus in this agent's organization.")
        if not Corpus.objects.filter(
            pk=pk, project__organization_id=agent.project.organization_id
        ).exists():
            raise NotFound("No such corpus in this agent's organization.")
        return pk

    def _set(self, request: Request, agent_id: str, corpus_id: str, *, create: bool) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        # The body first, then the id in the path: the refusal order of docs/api.md.
        serializer = CorpusConnectionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pk = self._corpus(agent, corpus_id)
        _, created = services.set_corpus_connection(
            agent=agent,
            acting_user=request.user,
            corpus_id=pk,
            enabled=serializer.validated_data.get("enabled"),
            settings=serializer.settings_given(),
            create=create,
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(staging_item(agent, "corpora", pk), status=code)

    @staging_edit_schema(
        "Connect one corpus, or change its connection if already connected",
        operation_id="v2_agents_corpus_connect",
        description="201 when the corpus was not connected yet, 200 otherwise.",
        parameters=[AGENT_ID, CORPUS_ID],
        request=CorpusConnectionUpdateSerializer,
        ok={201: CorpusConnectionSerializer, 200: CorpusConnectionSerializer},
    )
    def post(self, request: Request, agent_id: str, corpus_id: str) -> Response:
        return self._set(request, agent_id, corpus_id, create=True)

    @staging_edit_schema(
        "Change a connected corpus's settings or enabled state",
        description="Giving any retrieval setting replaces the connection's settings with "
        "exactly those given; giving none leaves them unchanged.",
        parameters=[AGENT_ID, CORPUS_ID],
        request=CorpusConnectionUpdateSerializer,
        ok={200: CorpusConnectionSerializer},
    )
    def put(self, request: Request, agent_id: str, corpus_id: str) -> Response:
        return self._set(request, agent_id, corpus_id, create=False)

    @staging_delete_schema(
        "Disconnect one corpus", CORPUS_ID, operation_id="v2_agents_corpus_disconnect"
    )
    def delete(self, request: Request, agent_id: str, corpus_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        pk = self._corpus(agent, corpus_id)
        if not CorpusConnection.objects.filter(agent_id=agent.pk, corpus_id=pk).exists():
            raise NotFound("This corpus is not connected to the agent.")
        services.disconnect_corpora(agent=agent, acting_user=request.user, corpus_ids=[pk])
        return Response(status=status.HTTP_204_NO_CONTENT)


class SharePointFolderView(JSONView):
    def _set(self, request: Request, agent_id: str) -> Response:
        edit = edit_staging(
            request, agent_id, SharePointFolderSerializer, services.set_sharepoint_folder
        )
        return agent_response(request, edit)

    @agent_edit_schema("Set the agent's SharePoint folder", SharePointFolderSerializer)
    def post(self, request: Request, agent_id: str) -> Response:
        return self._set(request, agent_id)

    @agent_edit_schema("Change the agent's SharePoint folder", SharePointFolderSerializer)
    def put(self, request: Request, agent_id: str) -> Response:
        return self._set(request, agent_id)

    @staging_delete_schema("Remove the agent's SharePoint folder")
    def delete(self, request: Request, agent_id: str) -> Response:
        agent, _ = load_agent(request, agent_id, Role.EDITOR)
        services.clear_sharepoint_folder(agent=agent, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
