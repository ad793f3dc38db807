"""The product's whole Staging & Publishing flow, over the HTTP API only.

Edit -> review the diff -> publish -> nothing to publish -> edit -> a stale review refused ->
publish -> browse the history -> preview -> restore -> publish -> revert (with and without a
conflict) -> restore an edit-history checkpoint. After every step the DESIGN.md invariants
hold, and Production (read through the live endpoint) moves only when something is published.

Runs on whichever database the suite runs on: SQLite by default, PostgreSQL with
``DATABASE_URL``.
"""

from __future__ import annotations

from typing import Any

import pytest

from agents.models import Agent
from tests import factories
from tests.publishing.conftest import assert_invariants, client_as


class Flow:
    """Three people working on one agent through the API, and what they expect to see."""

    def __init__(self, owner, editor, publisher, agent_id: int) -> None:
        self.owner = client_as(owner)
        self.editor = client_as(editor)
        self.publisher = client_as(publisher)
        self.base = f"/api/v2/agents/{agent_id}"
        self.agent = Agent.objects.get(pk=agent_id)
        self.live_id: str | None = None  # the change_track_id Production must be at

    def url(self, suffix: str = "") -> str:
        return self.base + suffix

    def ok(self, response, status: int = 200) -> Any:
        assert response.status_code == status, (response.status_code, response.content[:500])
        return response.json() if response.content else None

    def review(self) -> dict[str, Any]:
        return self.ok(self.editor.get(self.url("/staging-diff")))

    def publish(self, **body) -> dict[str, Any]:
        record = self.ok(self.publisher.post(self.url("/publish"), body, format="json"), 201)
        self.live_id = record["change_track_id"]
        return record

    def live(self) -> dict[str, Any] | None:
        response = self.publisher.get(self.url("/production"))
        if response.status_code == 404:
            return None
        return self.ok(response)

    def check(self) -> None:
        """Invariants, and Production exactly where the last publish left it."""
        assert_invariants(self.agent)
        live = self.live()
        if self.live_id is None:
            assert live is None
        else:
            assert live["change_track_id"] == self.live_id
        status = self.ok(self.editor.get(self.url("/status")))
        assert status["last_change_track_id"] == self.live_id
        assert status["has_unpublished_changes"] == self.review()["has_changes"]


@pytest.fixture
def flow(organization, project, catalogue, owner):
    editor = factories.UserFactory(username="editor")
    publisher = factories.UserFactory(username="publisher")
    factories.join(organization, editor, publisher)  # the owner is a member already
    created = client_as(owner).post(
        "/api/v2/agents",
        {"project_id": project.pk, "name": "Support bot", "description": "Answers questions"},
        format="json",
    )
    assert created.status_code == 201, created.content
    agent_id = created.json()["id"]
    for user, role in ((editor, "editor"), (publisher, "publisher")):
        granted = client_as(owner).post(
            f"/api/v2/agents/{agent_id}/permissions",
            {"user_id": user.pk, "role": role},
            format="json",
        )
        assert granted.status_code == 201, granted.content
    return Flow(owner, editor, publisher, agent_id)


def test_the_whole_flow(flow, catalogue):
    f = flow
    handbook, faq = (c.pk for c in catalogue["corpora"])
    crm, mailer = catalogue["tools"]
    pii = catalogue["guardrails"][0].pk
    f.check()

    # 1. Edit Staging: settings, an instruction, a knowledge source, a tool, a guardrail.
    f.ok(f.editor.patch(f.url(), {"description": "Helps customers"}, format="json"))
    greet = f.ok(
        f.editor.post(
            f.url("/instructions"), {"title": "Greet", "content": "Say hello."}, format="json"
        ),
        201,
    )
    f.ok(f.editor.post(f.url("/corpora"), {"corpus_ids": [handbook]}, format="json"), 201)
    f.ok(f.editor.post(f.url(f"/tools/{crm.pk}/enable")))
    f.ok(
        f.editor.patch(f.url("/guardrails"), {"guardrail_id": pii, "enabled": True}, format="json")
    )
    assert f.live() is None  # nothing is live before the first publish
    f.check()

    # 2. Review the diff: every section, in order; the editor may not publish.
    review = f.review()
    assert review["has_changes"] is True
    assert review["published"] is False
    sections = [c["section"] for c in review["changes"]]
    assert sections == sorted(
        sections,
        key=["settings", "instructions", "knowledge_sources", "tools", "guardrails"].index,
    )
    assert {s for s, n in review["counts"].items() if n} == {
        "settings",
        "instructions",
        "knowledge_sources",
        "tools",
        "guardrails",
    }
    assert f.editor.post(f.url("/publish"), {}, format="json").status_code == 403

    # 3. Publish exactly what was reviewed.
    first = f.publish(notes="Launch", expected_fingerprint=review["fingerprint"])
    assert first["sequence"] == 1
    # The review names each change's authors; the record keeps them as its contributors.
    assert first["changes"] == [
        {k: v for k, v in c.items() if k != "authors"} for c in review["changes"]
    ]
    assert {a["username"] for a in first["contributors"]} == {
        a["username"] for a in review["contributors"]
    }
    assert f.live()["configuration"] == first["snapshot"]
    f.check()

    # 4. Nothing to publish now.
    refused = f.publisher.post(f.url("/publish"), {}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "nothing_to_publish"
    assert refused.json()["has_changes"] is False
    assert f.review()["has_changes"] is False
    f.check()

    # 5. Edit, review, edit again: the first review is stale and publishes nothing.
    f.ok(
        f.editor.put(
            f.url("/instructions"),
            {"id": greet["id"], "content": "Say hello, and give your name."},
            format="json",
        )
    )
    stale = f.review()["fingerprint"]
    f.ok(f.editor.post(f.url("/corpora"), {"corpus_ids": [faq]}, format="json"), 201)
    refused = f.publisher.post(f.url("/publish"), {"expected_fingerprint": stale}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "stale_review"
    assert refused.json()["fingerprint"] == f.review()["fingerprint"]
    f.check()

    # 6. Publish the new review.
    second = f.publish(notes="More sources", expected_fingerprint=f.review()["fingerprint"])
    assert second["sequence"] == 2
    assert second["previous_change_track_id"] == first["change_track_id"]
    assert second["counts"]["instructions"] == 1
    assert second["counts"]["knowledge_sources"] == 1
    f.check()

    # 7. Browse the publish history.
    history = f.ok(f.editor.get(f.url("/publishes")))
    assert [r["change_track_id"] for r in history["results"]] == [
        second["change_track_id"],
        first["change_track_id"],
    ]
    assert all("snapshot" not in r and "changes" not in r for r in history["results"])
    assert history["results"][0]["published_by"]["username"] == "publisher"
    one = f.ok(f.editor.get(f.url(f"/publishes/{first['change_track_id']}")))
    assert one["snapshot"] == first["snapshot"]

    # 8. Preview a restore of the first publish: nothing changes yet.
    before_preview = f.review()
    preview = f.ok(
        f.editor.get(f.url(f"/publishes/{first['change_track_id']}/diff"), {"mode": "restore"})
    )
    assert preview["staging"]["has_changes"] is True
    assert preview["production"]["has_changes"] is True
    assert preview["conflicts"] == []
    assert f.review() == before_preview
    f.check()

    # 9. Restore it onto Staging: Production does not move.
    restored = f.ok(
        f.publisher.put(
            f.url("/rollback"),
            {"change_track_id": first["change_track_id"], "mode": "restore"},
            format="json",
        )
    )
    assert restored["has_changes"] is True
    assert [{k: v for k, v in c.items() if k != "authors"} for c in restored["changes"]] == preview[
        "production"
    ]["changes"]
    # The restore is an edit: the publisher who made it is behind each change it brought.
    assert {a["username"] for c in restored["changes"] for a in c["authors"]} == {"publisher"}
    edits = f.ok(f.editor.get(f.url("/history")))["results"]
    assert edits[0]["summary"] == "Restore of publish #1"
    assert edits[0]["changed_by"]["username"] == "publisher"
    f.check()

    # 10. Publish the restore: Production is the first configuration again.
    third = f.publish(notes="Back to launch")
    assert third["restored_from"] == first["change_track_id"]
    assert third["restored_mode"] == "restore"
    assert f.live()["configuration"] == first["snapshot"]
    f.check()

    # 11. Revert without a conflict: undo one publish, keep a later unrelated edit.
    f.ok(f.editor.post(f.url(f"/tools/{mailer.pk}/enable")))
    f.ok(f.editor.patch(f.url(), {"name": "Support bot 2"}, format="json"))
    fourth = f.publish(notes="Mailer")
    f.ok(f.editor.patch(f.url(), {"description": "Helps customers, politely"}, format="json"))
    preview = f.ok(
        f.editor.get(f.url(f"/publishes/{fourth['change_track_id']}/diff"), {"mode": "revert"})
    )
    assert preview["conflicts"] == []
    reverted = f.ok(
        f.publisher.put(
            f.url("/rollback"),
            {"change_track_id": fourth["change_track_id"], "mode": "revert"},
            format="json",
        )
    )
    staging = f.ok(f.editor.get(f.url()))
    assert staging["name"] == "Support bot"
    assert staging["description"] == "Helps customers, politely"  # the later edit stays
    assert {c["key"] for c in reverted["changes"]} >= {f"tool:{mailer.pk}"}
    assert f.live()["change_track_id"] == fourth["change_track_id"]
    fifth = f.publish(notes="Without the mailer")
    assert fifth["restored_from"] == fourth["change_track_id"]
    assert fifth["restored_mode"] == "revert"
    f.check()

    # 12. Revert with a conflict: the field was changed again since; Staging is untouched.
    f.ok(f.editor.patch(f.url(), {"name": "Support bot 3"}, format="json"))
    sixth = f.publish(notes="Rename")
    f.ok(f.editor.patch(f.url(), {"name": "Support bot 4"}, format="json"))
    before_conflict = f.review()
    preview = f.ok(
        f.editor.get(f.url(f"/publishes/{sixth['change_track_id']}/diff"), {"mode": "revert"})
    )
    assert [c["field"] for c in preview["conflicts"]] == ["name"]
    conflict = f.publisher.put(
        f.url("/rollback"),
        {"change_track_id": sixth["change_track_id"], "mode": "revert"},
        format="json",
    )
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "conflict"
    assert conflict.json()["conflicts"] == preview["conflicts"]
    assert f.review() == before_conflict
    f.check()

    # 13. Restore an edit-history checkpoint: Staging as it was before the rename.
    edits = f.ok(f.editor.get(f.url("/history")))["results"]
    assert edits[0]["summary"].startswith("Settings changed")
    target = edits[1]
    detail = f.ok(f.editor.get(f.url(f"/history/{target['history_id']}")))
    assert detail["history_id"] == target["history_id"]
    after_restore = f.ok(f.publisher.post(f.url(f"/history/{target['history_id']}/restore")))
    assert after_restore["has_changes"] is False  # Staging is what was published as #6
    assert f.ok(f.editor.get(f.url()))["name"] == "Support bot 3"
    newest = f.ok(f.editor.get(f.url("/history")))["results"][0]
    assert newest["summary"] == f"Restored checkpoint {target['revision']}"
    assert newest["changed_by"]["username"] == "publisher"
    f.check()

    # 14. Discard after one more edit, then nothing is left to discard.
    f.ok(f.editor.patch(f.url(), {"name": "Scrapped"}, format="json"))
    assert f.ok(f.publisher.post(f.url("/discard")))["has_changes"] is False
    again = f.publisher.post(f.url("/discard"))
    assert again.status_code == 409
    assert again.json()["code"] == "nothing_to_discard"
    f.check()

    # The publish history tells the whole story, newest first.
    rows = f.ok(f.editor.get(f.url("/publishes")))["results"]
    assert [r["sequence"] for r in rows] == [6, 5, 4, 3, 2, 1]
    assert [r["notes"] for r in rows][::-1] == [
        "Launch",
        "More sources",
        "Back to launch",
        "Mailer",
        "Without the mailer",
        "Rename",
    ]


def test_a_viewer_follows_production_only(flow, catalogue):
    f = flow
    viewer = factories.UserFactory(username="viewer")
    factories.join(f.agent.project.organization, viewer)
    f.ok(
        f.owner.post(
            f.url("/permissions"), {"user_id": viewer.pk, "role": "viewer"}, format="json"
        ),
        201,
    )
    watcher = client_as(viewer)
    f.publish()
    f.ok(f.editor.patch(f.url(), {"name": "Draft"}, format="json"))

    status = f.ok(watcher.get(f.url("/status")))
    assert status["published"] is True
    assert status["has_unpublished_changes"] is None
    assert watcher.get(f.url("/staging-diff")).status_code == 403
    assert watcher.get(f.url("/publishes")).status_code == 403
    assert watcher.get(f.url("/production")).json()["configuration"]["settings"]["name"] == (
        "Support bot"
    )
    f.check()
