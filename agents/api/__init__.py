"""The agents REST API under ``/api/v2/``: auth, users, hierarchy, catalogue, agents, Staging.

Views are thin: they load what the path names through the permission layer
(``agents.permissions``), check the request's shape with a serializer
(``agents.serializers``), call one service (``agents.services``) and render the answer. None
of them saves a model; every write, and every rule about what may be written, is a service's.

What a Staging edit answers, so clients can rely on it:

* settings edits (``PUT/PATCH /agents/{id}``, ``/access``, ``/annotates``,
  ``POST/PUT /sharepoint/folder``) -> ``200`` the agent's Staging representation;
* edits of one item -> that item, in the same shape as inside the agent representation:
  ``201`` when a new item is made (an instruction, corpus connections), ``200`` otherwise
  (tool and action toggles, action config, guardrail toggle, instruction edit);
* removals (an instruction, corpus connections, the SharePoint folder, a permission, the
  agent) -> ``204`` and no body.

The agent representation is built from the canonical snapshot (``configuration.snapshot``):
``staging_snapshot`` for Staging, ``agent.production.snapshot`` for Production, so both
share one shape and the number of queries does not grow with the configuration's size.

One module per resource: ``auth`` (tokens and users), ``hierarchy``, ``catalogue``,
``agents``, the Staging edits (``instructions``, ``knowledge``, ``tools``, ``settings``) and
``permissions``; ``base``, ``schema``, ``representation`` and ``edits`` (how a Staging edit
runs) are what they share.
"""
