"""Which items of a reordered list moved: those outside a longest common subsequence."""

from __future__ import annotations

from bisect import bisect_left
from typing import Any


def moved_ids(before_order: list[Any], after_order: list[Any]) -> set[Any]:
    """The ids to report as moved: those outside a longest common subsequence.

    Both lists hold the same ids (those on both sides), each once. The LCS of two
    permutations is a longest increasing subsequence of ranks: O(n log n).
    """
    rank = {ident: index for index, ident in enumerate(before_order)}
    seq = [rank[ident] for ident in after_order]
    tail_values: list[int] = []
    tail_indexes: list[int] = []
    previous = [-1] * len(seq)
    for index, value in enumerate(seq):
        slot = bisect_left(tail_values, value)
        if slot > 0:
            previous[index] = tail_indexes[slot - 1]
        if slot == len(tail_values):
            tail_values.append(value)
            tail_indexes.append(index)
        else:
            tail_values[slot] = value
            tail_indexes[slot] = index
    kept: set[Any] = set()
    cursor = tail_indexes[-1] if tail_indexes else -1
    while cursor != -1:
        kept.add(after_order[cursor])
        cursor = previous[cursor]
    return set(after_order) - kept
