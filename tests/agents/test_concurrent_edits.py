"""Two editors on one Staging: edits on an older revision are merged, or refused, never lost.

Each editor sends the revision they saw (``If-Match``, or ``base_revision`` in the body). A
field they did not change keeps what others wrote since; a field both changed is a 409
``edit_conflict`` naming it, and nothing is written. Without ``If-Match`` the last write wins.
"""

from __future__ import annotations

from typing import Any

import pytest

from agents import services
from agents.models import Instruction, StagingConfiguration
from tests.agents.conftest import role_fixture
from tests.agents.two_editors import etag, put_settings, read, staging, url
from tests.conftest import client_for

SETTINGS = {"name": "Support bot", "description": "Answers questions"}

alice = role_fixture("alice", "editor")
bob = role_fixture("bob", "editor")


# --- reading the revision ------------------------------------------------------------------


def test_staging_read_and_every_edit_answer_the_revision_as_etag(alice, agent):
    body, tag = read(alice, agent)
    assert tag == f'"{staging(agent).revision}"' == f'"{body["revision"]}"'
    response = put_settings(alice, agent, body, tag, name="Renamed")
    assert response.status_code == 200
    assert etag(response) == f'"{staging(agent).revision}"' != tag
    response = client_for(alice).post(
        url(agent, "/instructions"), {"title": "T", "content": "C"}, format="json"
    )
    assert etag(response) == f'"{staging(agent).revision}"'


def test_production_read_keeps_its_own_etag(alice, agent, published):
    production = client_for(alice).get(url(agent, "?environment=production"))
    assert "ETag" not in production.headers or production.headers["ETag"] != etag(
        client_for(alice).get(url(agent))
    )


# --- settings ------------------------------------------------------------------------------


def test_two_editors_on_the_same_field_one_conflict_nothing_overwritten(alice, bob, agent):
    seen_a, tag_a = read(alice, agent)
    seen_b, tag_b = read(bob, agent)
    assert put_settings(alice, agent, seen_a, tag_a, name="Alice's name").status_code == 200
    revision = staging(agent).revision
    records = StagingConfiguration.history.count()

    response = put_settings(bob, agent, seen_b, tag_b, name="Bob's name")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "edit_conflict"
    (conflict,) = body["conflicts"]
    assert conflict["section"] == "settings" and conflict["key"] == "settings"
    assert conflict["field"] == "name"
    assert conflict["theirs"] == "Alice's name" and conflict["yours"] == "Bob's name"
    assert conflict["changed_by"] == "alice" and conflict["changed_at"]
    assert conflict["revision"] == revision
    assert staging(agent).name == "Alice's name"
    assert staging(agent).revision == revision
    assert StagingConfiguration.history.count() == records


def test_the_same_value_from_both_is_no_conflict(alice, bob, agent):
    seen_a, tag_a = read(alice, agent)
    seen_b, tag_b = read(bob, agent)
    put_settings(alice, agent, seen_a, tag_a, name="Same")
    assert put_settings(bob, agent, seen_b, tag_b, name="Same").status_code == 200


def test_a_full_form_on_an_old_revision_keeps_the_fields_others_changed(alice, bob, agent):
    seen_a, tag_a = read(alice, agent)
    seen_b, tag_b = read(bob, agent)
    assert put_settings(alice, agent, seen_a, tag_a, name="Alice's name").status_code == 200

    response = put_settings(bob, agent, seen_b, tag_b, description="Bob's description")

    assert response.status_code == 200
    assert response.json()["name"] == "Alice's name"
    assert response.json()["description"] == "Bob's description"
    row = staging(agent)
    assert (row.name, row.description) == ("Alice's name", "Bob's description")


def model_config_edits(alice, bob, agent, alices: dict[str, Any], bobs: dict[str, Any]):
    """Both read the same revision; Alice saves the model configuration with her keys
    changed, then Bob with his. Answers Bob's response."""
    seen_a, tag_a = read(alice, agent)
    seen_b, tag_b = read(bob, agent)
    config = seen_a["model_config"]
    put_settings(alice, agent, seen_a, tag_a, model_config={**config, **alices})
    return put_settings(bob, agent, seen_b, tag_b, model_config={**config, **bobs})


def test_model_config_keys_merge_one_by_one(alice, bob, agent):
    response = model_config_edits(alice, bob, agent, {"temperature": 0.9}, {"max_tokens": 77})
    assert response.status_code == 200
    merged = staging(agent).model_config
    assert merged["temperature"] == 0.9 and merged["max_tokens"] == 77


def test_the_same_model_config_key_is_a_conflict_named_by_its_key(alice, bob, agent):
    response = model_config_edits(alice, bob, agent, {"temperature": 0.9}, {"temperature": 0.1})
    assert response.status_code == 409
    (conflict,) = response.json()["conflicts"]
    assert conflict["field"] == "model_config.temperature"
    assert (conflict["theirs"], conflict["yours"]) == (0.9, 0.1)
    assert staging(agent).model_config["temperature"] == 0.9


def test_without_if_match_the_last_write_wins_as_before(alice, bob, agent):
    seen_a, tag_a = read(alice, agent)
    seen_b, _ = read(bob, agent)
    put_settings(alice, agent, seen_a, tag_a, name="Alice's name")
    assert put_settings(bob, agent, seen_b, None, name="Bob's name").status_code == 200
    assert staging(agent).name == "Bob's name"


def test_base_revision_in_the_body_stands_in_for_if_match(alice, bob, agent):
    seen_a, tag_a = read(alice, agent)
    seen_b, _ = read(bob, agent)
    put_settings(alice, agent, seen_a, tag_a, name="Alice's name")
    response = client_for(bob).patch(
        url(agent), {"name": "Bob's", "base_revision": seen_b["revision"]}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "edit_conflict"


@pytest.mark.parametrize("tag", ['"abc"', '"0"', '"1", "2"', "12x", '"9999999999"'])
def test_a_malformed_if_match_is_a_400_and_changes_nothing(alice, agent, tag):
    seen, _ = read(alice, agent)
    response = put_settings(alice, agent, seen, tag, name="Nope")
    assert response.status_code == 400
    assert "If-Match" in response.json()
    assert staging(agent).name == SETTINGS["name"]


def test_a_revision_from_the_future_is_refused(alice, agent):
    seen, _ = read(alice, agent)
    response = put_settings(alice, agent, seen, '"999"', name="Nope")
    assert response.status_code == 400
    assert "base_revision" in response.json()
    assert staging(agent).name == SETTINGS["name"]


def test_if_match_star_and_weak_tags_are_understood(alice, bob, agent):
    seen_a, tag_a = read(alice, agent)
    put_settings(bob, agent, seen_a, tag_a, name="Bob's")
    assert put_settings(alice, agent, seen_a, "*", name="Alice's").status_code == 200
    seen, tag = read(alice, agent)
    assert put_settings(bob, agent, seen, f"W/{tag}", name="Bob again").status_code == 200


# --- instructions --------------------------------------------------------------------------


def add(agent: Any, user: Any, title: str, content: str) -> Instruction:
    return services.add_instruction(agent=agent, acting_user=user, title=title, content=content)


def put_instruction(user: Any, agent: Any, tag: str, **body: Any):
    return client_for(user).put(url(agent, "/instructions"), body, format="json", HTTP_IF_MATCH=tag)


def test_different_instructions_both_kept(alice, bob, agent, owner):
    first = add(agent, owner, "One", "first")
    second = add(agent, owner, "Two", "second")
    _, tag = read(alice, agent)
    assert put_instruction(alice, agent, tag, id=first.pk, content="A").status_code == 200
    assert put_instruction(bob, agent, tag, id=second.pk, content="B").status_code == 200
    contents = dict(Instruction.objects.filter(agent=agent).values_list("title", "content"))
    assert contents == {"One": "A", "Two": "B"}


PARAGRAPHS = "\n".join(f"Paragraph {n}." for n in range(1, 13)) + "\n"


def test_different_paragraphs_of_one_instruction_merge(alice, bob, agent, owner):
    long = add(agent, owner, "Long", PARAGRAPHS)
    _, tag = read(alice, agent)
    mine = PARAGRAPHS.replace("Paragraph 2.", "Paragraph two, by Alice.")
    theirs = PARAGRAPHS.replace("Paragraph 9.", "Paragraph nine, by Bob.")
    assert put_instruction(alice, agent, tag, id=long.pk, content=mine).status_code == 200
    assert put_instruction(bob, agent, tag, id=long.pk, content=theirs).status_code == 200
    content = Instruction.objects.get(pk=long.pk).content
    assert "Paragraph two, by Alice." in content and "Paragraph nine, by Bob." in content
    assert content.count("\n") == PARAGRAPHS.strip().count("\n")


def test_the_same_paragraph_is_a_conflict(alice, bob, agent, owner):
    long = add(agent, owner, "Long", PARAGRAPHS)
    _, tag = read(alice, agent)
    put_instruction(alice, agent, tag, id=long.pk, content=PARAGRAPHS.replace("7.", "7 A."))
    response = put_instruction(
        bob, agent, tag, id=long.pk, content=PARAGRAPHS.replace("7.", "7 B.")
    )
    assert response.status_code == 409
    (conflict,) = response.json()["conflicts"]
    assert (conflict["section"], conflict["key"], conflict["field"]) == (
        "instructions",
        f"instruction:{long.pk}",
        "content",
    )
    assert conflict["changed_by"] == "alice"
    assert "7 A." in Instruction.objects.get(pk=long.pk).content


def test_reordering_and_editing_both_kept(alice, bob, agent, owner):
    first = add(agent, owner, "One", "first")
    second = add(agent, owner, "Two", "second")
    _, tag = read(alice, agent)
    assert put_instruction(alice, agent, tag, id=second.pk, position=0).status_code == 200
    assert put_instruction(bob, agent, tag, id=second.pk, content="edited").status_code == 200
    order = list(Instruction.objects.filter(agent=agent).order_by("position"))
    assert [i.pk for i in order] == [second.pk, first.pk]
    assert order[0].content == "edited"


def test_editing_an_instruction_deleted_since_is_a_conflict_not_a_404(alice, bob, agent, owner):
    doomed = add(agent, owner, "Doomed", "text")
    _, tag = read(alice, agent)
    assert (
        client_for(alice)
        .delete(url(agent, f"/instructions/{doomed.pk}"), HTTP_IF_MATCH=tag)
        .status_code
        == 204
    )
    response = put_instruction(bob, agent, tag, id=doomed.pk, content="mine")
    assert response.status_code == 409
    (conflict,) = response.json()["conflicts"]
    assert conflict["key"] == f"instruction:{doomed.pk}" and conflict["theirs"] is None
    assert conflict["changed_by"] == "alice"


def test_deleting_an_instruction_edited_since_is_a_conflict(alice, bob, agent, owner):
    kept = add(agent, owner, "Kept", "text")
    _, tag = read(alice, agent)
    put_instruction(alice, agent, tag, id=kept.pk, content="Alice's text")
    response = client_for(bob).delete(url(agent, f"/instructions/{kept.pk}"), HTTP_IF_MATCH=tag)
    assert response.status_code == 409
    assert response.json()["conflicts"][0]["changed_by"] == "alice"
    assert Instruction.objects.get(pk=kept.pk).content == "Alice's text"


def test_adding_on_an_old_revision_keeps_what_was_added_since(alice, bob, agent):
    _, tag = read(alice, agent)
    for user, title in ((alice, "A"), (bob, "B")):
        response = client_for(user).post(
            url(agent, "/instructions"),
            {"title": title, "content": "c"},
            format="json",
            HTTP_IF_MATCH=tag,
        )
        assert response.status_code == 201
    assert sorted(Instruction.objects.filter(agent=agent).values_list("title", flat=True)) == [
        "A",
        "B",
    ]


# --- versions ------------------------------------------------------------------------------


def test_every_item_and_the_settings_carry_the_revision_of_their_last_change(alice, agent, owner):
    first = add(agent, owner, "One", "first")
    second = add(agent, owner, "Two", "second")
    body, _ = read(alice, agent)
    settings_version = body["settings_version"]
    _, tag = read(alice, agent)
    response = put_instruction(alice, agent, tag, id=second.pk, content="changed")
    assert response.json()["version"] == staging(agent).revision
    body, _ = read(alice, agent)
    versions = {i["id"]: i["version"] for i in body["instructions"]}
    assert versions[second.pk] == body["revision"]
    assert versions[first.pk] < body["revision"]
    assert body["settings_version"] == settings_version  # settings untouched since
    assert put_settings(alice, agent, body, tag, name="New").status_code == 200
    assert read(alice, agent)[0]["settings_version"] == staging(agent).revision


def test_an_item_version_is_a_base_the_merge_accepts(alice, bob, agent, owner):
    first = add(agent, owner, "One", "first")
    body, _ = read(alice, agent)
    version = f'"{body["instructions"][0]["version"]}"'
    put_settings(bob, agent, body, etag(client_for(bob).get(url(agent))), name="Bob's")
    assert put_instruction(alice, agent, version, id=first.pk, content="A").status_code == 200
    assert staging(agent).name == "Bob's"


def test_production_items_have_no_version(alice, agent, owner, published):
    add(agent, owner, "One", "first")
    production = client_for(owner).get(url(agent, "?environment=production")).json()
    assert production["settings_version"] is None and production["revision"] is None
