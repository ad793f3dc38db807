"""The configuration model, as plain data: no Django model, no database, no request.

``snapshot`` - the canonical shape of one configuration variant, its canonical JSON and
fingerprint; ``changes`` - where a change sits (``ChangePath``); ``diff`` - what changed
between two snapshots; ``labels`` - those changes in words (labels, the one-line summary);
``revert`` - the three-way undo of one publish on top of what Staging holds now; ``checks``
- the built-in pre-publish checks of a snapshot, with ``secrets`` - the patterns that find
credentials in it. ``agents``
loads Staging into this shape, ``publishing`` stores Production in it; this package imports
neither.
"""
