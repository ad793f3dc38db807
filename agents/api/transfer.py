"""Configuration as code: export an agent's configuration as a document, import one onto
Staging, copy another agent's configuration onto Staging (docs/configuration-as-code.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.request import Request
from rest_framework.response import Response

from agents import selectors_transfer, services
from agents.api.base import JSONView, load_agent, query_value, validated
from agents.api.schema import AGENT_ID, READ_ERRORS, WRITE_ERRORS, operation_schema
from agents.permissions import Role, get_agent_for, require_role
from agents.serializers.transfer import (
    AgentDocumentSerializer,
    ComponentsUnresolvedSerializer,
    CopyFromSerializer,
    TransferResultSerializer,
)

SOURCE = OpenApiParameter(
    "source",
    {
        "type": "string",
        "pattern": "^(staging|production|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
        "[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$",
        "default": "staging",
    },
    OpenApiParameter.QUERY,
    description=f"Which configuration: {selectors_transfer.SOURCE_HELP} Staging and "
    "publishes need the editor role, Production the viewer role.",
)
FLAG = {"type": "string", "enum": ["0", "1", "false", "true"], "default": "0"}
DRY_RUN = OpenApiParameter(
    "dry_run",
    FLAG,
    OpenApiParameter.QUERY,
    description="`1`: answer the diff the import would make and write nothing.",
)
CREATE_MISSING = OpenApiParameter(
    "create_missing_components",
    FLAG,
    OpenApiParameter.QUERY,
    description="`1`: create the components missing from the organization's catalogue "
    "(from their definitions in the document) instead of refusing the import.",
)
UNRESOLVED = OpenApiResponse(
    ComponentsUnresolvedSerializer,
    description="Components missing from the catalogue, different or ambiguous; nothing "
    "was written.",
)


def query_flag(request: Request, name: str) -> bool:
    value = query_value(request, name)
    if value is None:
        return False
    if value not in ("0", "1", "false", "true"):
        raise DjangoValidationError({name: ["Must be 1 or 0 (true or false)."]})
    return value in ("1", "true")


# An import and a copy refuse to replace newer work alike, so their operations say it alike.
IF_MATCH = (
    "With `If-Match` on an older Staging revision than the current one: 409 `staging_changed`, "
    "nothing written (never for a dry run)."
)


class ExportView(JSONView):
    @operation_schema(
        "as code",
        "Export one of the agent's configurations as a document",
        ok={200: AgentDocumentSerializer},
        errors=READ_ERRORS,
        parameters=(AGENT_ID, SOURCE),
        description="The versioned document of Staging, Production or one publish: no "
        "database ids, catalogue components by name with their definitions. 404 with "
        '`code: "not_published"` for Production before the first publish.',
    )
    def get(self, request: Request, agent_id: str) -> Response:
        agent, role = load_agent(request, agent_id, Role.VIEWER)
        source = selectors_transfer.parse_source(query_value(request, "source"))
        require_role(request.user, agent, source.required_role)
        document = selectors_transfer.export_document(agent, source, reader=request.user, role=role)
        return Response(document)


class ImportView(JSONView):
    @operation_schema(
        "as code",
        "Import a document onto Staging (one staging edit)",
        request={"application/json": OpenApiTypes.OBJECT},
        ok={200: TransferResultSerializer, 409: UNRESOLVED},
        errors=WRITE_ERRORS,
        parameters=(AGENT_ID, DRY_RUN, CREATE_MISSING),
        description="Staging becomes exactly the document's configuration, in one staging "
        "edit (editors). The document is checked whole: a 400 lists every problem under its "
        "JSON path, and nothing is written. Components are matched by kind and name in the "
        "agent's organization. Answers the diff of Staging before against after. Production "
        f"is untouched until the next publish. {IF_MATCH}",
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, _role = load_agent(request, agent_id, Role.EDITOR)
        result = services.import_document(
            agent=agent,
            acting_user=request.user,
            document=request.data,
            dry_run=query_flag(request, "dry_run"),
            create_missing_components=query_flag(request, "create_missing_components"),
        )
        return Response(result.as_dict())


class CopyFromView(JSONView):
    @operation_schema(
        "as code",
        "Make Staging equal to another agent's Staging or Production",
        request=CopyFromSerializer,
        ok={200: TransferResultSerializer},
        errors=(*WRITE_ERRORS, 409),
        parameters=(AGENT_ID,),
        description="One staging edit (editors of this agent; of the other, editors to copy "
        "its Staging, viewers to copy its Production); both agents of one organization. "
        "`dry_run`: answer the diff and write nothing. An agent the caller cannot see is an "
        f"unknown `source_agent_id` (400). {IF_MATCH}",
    )
    def post(self, request: Request, agent_id: str) -> Response:
        agent, _role = load_agent(request, agent_id, Role.EDITOR)
        data = validated(CopyFromSerializer, request)
        source = selectors_transfer.parse_source(data["source"])
        result = services.copy_configuration(
            agent=agent,
            acting_user=request.user,
            source_agent=source_agent(request, data["source_agent_id"], source.required_role),
            source=source,
            dry_run=data["dry_run"],
        )
        return Response(result.as_dict())


def source_agent(request: Request, agent_id: Any, required: Role) -> Any:
    try:
        agent, _role = get_agent_for(request.user, agent_id, required)
    except Http404:
        raise DjangoValidationError({"source_agent_id": ["Unknown agent."]}) from None
    return agent
