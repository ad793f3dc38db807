"""Text rules for names, tags and usernames: what a person reads must be what is stored.

Red-team finding 10: a fullwidth ADMIN was stored as a second admin, "admin" with a Cyrillic
first letter and an organization name with a Greek capital alpha passed for Latin, "support"
with a zero-width space or in fullwidth letters were tags apart from "support", and bidi
overrides could reorder an agent's name on screen. So, for names and tags:

* NFKC normalisation first (fullwidth letters, ligatures and other compatibility forms
  become the plain characters they display as), before any uniqueness check;
* refused: control characters (Unicode category Cc) and format characters (Cf: zero-width
  space and joiners, bidi overrides and isolates, the BOM) - invisible, or moving text around;
* for usernames and organization names, also refused: a name that mixes scripts with
  look-alike letters (Cyrillic a in admin), and a name whose *skeleton* equals an existing one's.

The skeleton is NFKC, then every character replaced by its Latin look-alike, then case-folded.
The look-alike table is the Unicode consortium's confusables data as shipped by the maintained
``confusable-homoglyphs`` package (also what django-registration uses), not a hand-made list.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from confusable_homoglyphs import confusables
from django.core.exceptions import ValidationError

# Format characters (Cf) a person cannot see, or that reorder text (bidi controls); and
# control characters (Cc). Names are one line, so no tab or newline either.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf"})


def normalise(text: str) -> str:
    """NFKC: the form every name, tag and username is checked and stored in."""
    return unicodedata.normalize("NFKC", text)


def _invisible(text: str) -> list[str]:
    return [f"U+{ord(ch):04X}" for ch in text if unicodedata.category(ch) in _REFUSED_CATEGORIES]


def clean_label(text: str, field: str) -> str:
    """A name or tag: NFKC-normalised; refused if it holds invisible or control characters."""
    cleaned = normalise(text)
    found = _invisible(cleaned)
    if found:
        listed = ", ".join(dict.fromkeys(found))
        raise ValidationError(
            {
                field: [
                    f"Must not contain invisible, control or text-direction characters ({listed})."
                ]
            }
        )
    return cleaned


def skeleton(text: str) -> str:
    """What ``text`` looks like: NFKC, each non-ASCII look-alike as its Latin twin, case-folded.

    ASCII is kept as it is: the data also pairs 0 with O and 1 with l, and "b0b" is not "bob".
    """
    text = normalise(text)
    found = confusables.is_confusable(text, greedy=True, preferred_aliases=["latin"]) or []
    twins: dict[str, str] = {}
    for item in found:
        latin = [h["c"] for h in item["homoglyphs"] if h["c"].isascii()]
        if latin and not item["character"].isascii():
            twins[item["character"]] = latin[0]
    return "".join(twins.get(ch, ch) for ch in text).casefold()


def clean_identity_name(text: str, field: str, *, existing: Iterable[str] = ()) -> str:
    """A username or organization name: ``clean_label``, then refused if it mixes scripts
    with look-alike letters or looks like one of ``existing`` (compared by skeleton)."""
    cleaned = clean_label(text, field)
    if confusables.is_dangerous(cleaned):
        raise ValidationError(
            {field: ["Mixes look-alike letters from different scripts (e.g. Cyrillic and Latin)."]}
        )
    mine = skeleton(cleaned)
    if any(skeleton(other) == mine for other in existing):
        raise ValidationError({field: ["Too similar to an existing name."]})
    return cleaned
