"""``GET /api/v2/agents/{id}/production``: the live configuration, at the cost of a cache hit.

What end-users and integrations poll, so it is the hottest read of the system. It answers
exactly like the rest of the API (401 without or with bad credentials, 404 for an agent the
caller may not see or that was never published, ETag and 304) but does not run Django REST
framework's request cycle for GET/HEAD:

* a repeated read costs one cache round trip and **no SQL**, authentication included: the
  caller's decision on the agent is cached by a hash of its token or session key
  (``publishing.live.cache``), and dropped on commit of any change to permissions, memberships,
  tokens or users;
* a first read costs **one SQL query** with a token: the token, the user, the agent, its
  project, the caller's organization membership, agent permission and project membership,
  and the Production row, joined in a single statement. With a session, Django's own session
  and user lookups come first (two more queries), then the same single statement.

Other methods go through DRF (405, OPTIONS). The role rules are those of
``agents.permissions.role_for``; ``role_from_facts`` restates them over the joined row, and a
test holds the two to the same answers.

The parts: ``authentication`` (who is asking), ``access`` (the single statement and the
decision over its row), ``cache`` and ``invalidation`` (what may be answered without SQL,
and when it stops being true), ``http_cache`` (ETag, 304, Vary), ``views`` (the request, end
to end) and ``schema`` (what ``/api/schema/`` says about it).
"""
