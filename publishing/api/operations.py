"""How the publishing API's operations are documented in ``/api/schema/``.

Every operation is tagged the same, takes the agent id first, and refuses the same way
(401/403/404, and 413/415 when it reads a body); only what differs is passed in.
"""

from __future__ import annotations

from typing import Any

from ejento_staging.api_operations import agent_operation
from publishing.api.paths import AGENT_ID, TAG
from publishing.api.refusals import BODY_REFUSALS, refusals


def publishing_operation(
    operation_id: str, summary: str, *, not_found: str | None = None, **options: Any
) -> Any:
    """``extend_schema`` for one operation, with publishing's refusals; ``options`` as
    ``agent_operation`` takes them (``ok``, ``invalid``, ``conflict``, ``request`` ...)."""
    return agent_operation(
        operation_id,
        summary,
        tag=TAG,
        agent_id=AGENT_ID,
        refused=refusals(not_found) if not_found else refusals(),
        body_refused=BODY_REFUSALS,
        **options,
    )


def publishing_list_operation(
    operation_id: str, summary: str, *, filters: Any, row: Any, invalid: Any
) -> Any:
    """A page of the agent's rows (``row`` one of them), narrowed by the query string that
    ``filters`` reads. Its 404 also answers a page past the end; its 400 a bad filter or page."""
    return publishing_operation(
        operation_id,
        summary,
        parameters=(filters,),
        ok=row(many=True),
        invalid=invalid,
        not_found="No such agent (or one the caller may not see), or no such page.",
    )
