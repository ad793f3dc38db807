"""The publishing API: review, publish, publish history, rollback, discard, edit history.

One module per resource: ``review`` (staging-diff, publish, discard), ``publishes`` (the
publish history), ``rollback``, ``history`` (the edit history) and ``status``; each holds
its views and the serializers of what they take and answer. ``paths`` reads the ids in the
paths, ``refusals`` documents the error answers, ``shapes`` holds what several share.

Thin views: each checks the caller's role through ``agents.permissions.get_agent_for`` (404
for an agent they may not see, 403 for a too-weak role), validates its input with a
serializer (400 with per-field messages, nothing written), then calls one selector or one
service. Domain refusals (``NothingToPublish``, ``StaleReview``, ``RevertConflict``,
``NothingToDiscard``) become 409 in ``ejento_staging.exceptions``.

Order of checks, the same on every endpoint: signed in (401) -> may see the agent (404) ->
role strong enough (403) -> input well-formed (400) -> the named publish or checkpoint
belongs to this agent (404).

Roles: ``editor`` reads Staging, the diffs and both histories; ``publisher`` publishes,
rolls back, restores checkpoints and discards (a discard throws away other people's
unpublished work, so it is a publisher's call like the rollback it resembles); ``viewer``
sees only ``status``, where Staging's state is reported as ``null``.
"""
