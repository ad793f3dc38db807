"""The reviews API: an agent's publish policy, its readiness, review requests, verdicts and
external check results, all under ``/api/v2/agents/{id}/``.

One module per resource: ``policy`` (the policy and its change log), ``readiness``,
``requests`` (review requests), ``verdicts`` and ``checks``. ``inputs`` holds what they
take, ``shapes`` what they answer, ``paths`` reads the ids in the paths and ``schema``
documents the operations and their refusals.

Thin views, in the same order of checks as the publishing API: signed in (401) -> may see
the agent (404) -> role strong enough (403) -> input well-formed (400, one list of messages
per field) -> the named review request belongs to this agent (404) -> the state allows it
(409 with a ``code``: ``stale_review``, ``nothing_to_review``, ``review_request_closed``,
``unknown_fingerprint``). Every write goes through ``reviews.services``, which checks the
role again under the agent's lock.

Roles: ``editor`` reads everything here, asks for reviews and posts check results (a CI
job's token); ``publisher`` gives verdicts; ``owner`` sets the policy.
"""
