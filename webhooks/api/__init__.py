"""The webhooks API: an organization's endpoints, their delivery logs, and the event types.

``endpoints`` (list, create, one, change, delete, rotate the secret, send a test event),
``deliveries`` (the log, one delivery with its attempts, redeliver), ``event_types``;
``shapes`` holds what they take and answer, ``paths`` reads the ids in the paths.

Thin views over ``webhooks.selectors`` and ``webhooks.services``. Order of checks: signed in
(401) -> a member of the organization (404) -> the endpoint is one the caller manages (404:
endpoints hold secrets, so one not theirs is as unknown as one that never was) -> may manage
the endpoint asked for (403, e.g. an agent owner creating one for every agent) -> input
well-formed (400) -> the state allows it (409 ``endpoint_disabled``, ``delivery_in_progress``).
The signing secret is in two answers only: the 201 of a create and the 200 of a rotation.
"""
