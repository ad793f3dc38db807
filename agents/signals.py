"""Signals the agents services send, each only after its transaction commits.

Other apps (``publishing``'s live read, for one) listen here instead of being called, so
this app depends on none of them.
"""

from django.dispatch import Signal

# Sent with sender=Agent, agent_id=<int>, once the archive has committed.
agent_archived = Signal()
