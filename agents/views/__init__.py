"""The editor's pages: the agent list, the Staging editor with its edit forms, Production.

Views are thin. Each checks the role with ``agents.permissions.get_agent_for``, parses the
input with ``agents.forms``, calls one service and redirects back with a message (POST,
redirect, GET), or re-renders the page with the refused form's errors inline (400). Nothing
here saves a model. ``ejento_staging.pages.page`` maps what the services raise, for every page
of both apps.

Modules: ``lists`` (the agent list), ``editor`` (the editor and Production pages), ``edits``
(one POST URL per Staging edit).
"""
