"""Shapes of the agents API: what a request may carry, and what a response looks like.

Request serializers check *shape* only - types, required fields, lengths - so a malformed
request is answered 400 per field before anything is looked up; the rules (a corpus of this
organization, a unique name, a valid model configuration) belong to ``agents.services``.
Their fields are strict (``fields``), so what the OpenAPI schema promises is what the API
accepts.

Response serializers describe the agent representation, built from the canonical snapshot
(``configuration.snapshot``) so Staging and Production share one shape (``agents``).

One module per resource: ``common``, ``auth``, ``hierarchy``, ``catalogue``, ``agents``,
``staging`` (edits), ``permissions``. The package names here what other apps reuse: the
strict fields and the shapes of the configuration's list items.
"""

from agents.serializers.agents import (
    ENVIRONMENTS,
    ActionStateSerializer,
    CorpusConnectionSerializer,
    GuardrailStateSerializer,
    InstructionSerializer,
    SharePointSerializer,
    ToolBindingSerializer,
)
from agents.serializers.common import DetailSerializer, UserRefSerializer
from agents.serializers.fields import (
    ID_MAX,
    MAX_JSON_NESTING,
    MODEL_CONFIG_SCHEMA,
    NO_NUL_PATTERN,
    IdField,
    JSONObjectField,
    ModelConfigField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictNumberField,
    check_plain_json,
)
from agents.serializers.staging import (
    CORPUS_SETTING_KEYS,
    CorpusConnectionUpdateSerializer,
    CorpusSettingsSerializer,
)

__all__ = [
    "CORPUS_SETTING_KEYS",
    "ENVIRONMENTS",
    "ID_MAX",
    "MAX_JSON_NESTING",
    "MODEL_CONFIG_SCHEMA",
    "NO_NUL_PATTERN",
    "ActionStateSerializer",
    "CorpusConnectionSerializer",
    "CorpusConnectionUpdateSerializer",
    "CorpusSettingsSerializer",
    "DetailSerializer",
    "GuardrailStateSerializer",
    "IdField",
    "InstructionSerializer",
    "JSONObjectField",
    "ModelConfigField",
    "SharePointSerializer",
    "StrictBooleanField",
    "StrictCharField",
    "StrictIntegerField",
    "StrictNumberField",
    "ToolBindingSerializer",
    "UserRefSerializer",
    "check_plain_json",
]
