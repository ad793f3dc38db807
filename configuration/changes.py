"""Where a change sits in a snapshot: its section, its item and the part of the item.

``ChangePath`` is that place as structure; ``key`` and ``field_name`` are its stored text
form (publish records keep ``key`` and ``field`` strings, and their hash covers them):

==================  ==========================  =================================================
kind (``key``)      field (``field_name``)      before / after
==================  ==========================  =================================================
settings            ``name`` ``description``     the field's values
(``settings``)      ``access_level`` ``tags``
settings            ``model_config`` + key       the value; a key added or removed is an
                    (``model_config.<key>``)     ``added`` / ``removed`` change (None on the
                                                 missing side)
instruction         None                         whole item (None on the missing side)
(``instruction:     ``title`` ``content``        the field's values
<id>``)             ``position``                 index before / index after (a move)
corpus              None | ``enabled``           whole item | the field's values
(``corpus:<id>``)   ``settings`` + key           one key of the corpus settings
sharepoint          None | ``site_url``          whole ``{"site_url", "folder_path"}`` |
(``sharepoint``)    ``folder_path``              the field's values
tool                None | ``enabled``           whole tool *with its actions* | values
(``tool:<id>``)
action, parent:     None | ``enabled``           whole action | the field's values
the tool            ``config`` + key             one key of the action config
(``tool:<id>/
action:<id>``)
guardrail           None | ``enabled``           whole item | the field's values
(``guardrail:       ``settings`` + key           one key of the guardrail settings
<id>``)
any catalogue item  ``definition``               whole effective definition (None on the side
(corpus, tool,                                   stored before definitions were recorded)
action, guardrail)  ``definition`` + key         one key of it (``kind``, ``description``,
                    (``definition.<key>``,       ``type``), or one catalogue key of its config
                    ``definition.config.<key>``)
==================  ==========================  =================================================

Nested dict fields (``model_config`` in the settings, ``settings`` / ``config`` in an item)
are compared key by key: the path names the key in ``field_key``. When one side of such a
field is not a dict at all, the field is compared whole (no ``field_key``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

SECTIONS: tuple[str, ...] = (
    "settings",
    "instructions",
    "knowledge_sources",
    "tools",
    "guardrails",
)

ADDED = "added"
REMOVED = "removed"
MODIFIED = "modified"

# Item kinds. ``settings`` and ``sharepoint`` are one fixed item each, without an id.
SETTINGS = "settings"
INSTRUCTION = "instruction"
CORPUS = "corpus"
SHAREPOINT = "sharepoint"
TOOL = "tool"
ACTION = "action"
GUARDRAIL = "guardrail"
SINGLE_ITEMS: frozenset[str] = frozenset({SETTINGS, SHAREPOINT})

MODEL_CONFIG = "model_config"
# Item fields whose dict values are compared key by key (``definition``: see ``diff``).
NESTED_DICT_FIELDS: frozenset[str] = frozenset({"settings", "config", "definition"})


def nested_fields(kind: str) -> frozenset[str]:
    """The fields of an item of ``kind`` that are compared key by key when both are dicts."""
    return frozenset({MODEL_CONFIG}) if kind == SETTINGS else NESTED_DICT_FIELDS


@dataclass(frozen=True)
class ChangePath:
    """The place of one change: ``field`` None means the whole item."""

    section: str
    kind: str
    item_id: Any = None  # None for the single items (settings, sharepoint)
    parent_id: Any = None  # an action's tool
    field: str | None = None
    field_key: str | None = None  # one key of a nested dict field

    @property
    def key(self) -> str:
        """The item as stored text: ``settings``, ``tool:3``, ``tool:3/action:31``."""
        if self.kind in SINGLE_ITEMS:
            return self.kind
        if self.kind == ACTION:
            return f"{TOOL}:{self.parent_id}/{ACTION}:{self.item_id}"
        return f"{self.kind}:{self.item_id}"

    @property
    def field_name(self) -> str | None:
        """The field as stored text: ``enabled``, ``settings.top_k``, None (the whole item)."""
        if self.field_key is None:
            return self.field
        return f"{self.field}.{self.field_key}"

    def item(self) -> ChangePath:
        """The path of the whole item this change is in."""
        return dataclasses.replace(self, field=None, field_key=None)

    def with_field(self, field: str, field_key: str | None = None) -> ChangePath:
        return dataclasses.replace(self, field=field, field_key=field_key)

    def parent(self) -> ChangePath | None:
        """The tool of an action; None for everything else."""
        if self.kind != ACTION:
            return None
        return ChangePath(self.section, TOOL, self.parent_id)

    @classmethod
    def parse(cls, section: str, key: str, field: str | None) -> ChangePath:
        """The path of a stored change (its ``section``, ``key`` and ``field`` strings).

        Identities come back as the text the key holds.
        """
        parent_id = None
        if key in SINGLE_ITEMS:
            kind, item_id = key, None
        else:
            head, _slash, action = key.partition("/")
            kind, _colon, item_id = head.partition(":")
            if action:
                parent_id = item_id
                kind, _colon, item_id = action.partition(":")
        path = cls(section, kind, item_id, parent_id)
        if field is None:
            return path
        head, dot, sub = field.partition(".")
        if dot and head in nested_fields(kind):
            return path.with_field(head, sub)
        return path.with_field(field)
