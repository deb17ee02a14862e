"""The dependency parse telefeed reads: natasha's heads form a forest, whatever its decoder returns."""

from __future__ import annotations

from extraction.syntax import Token, break_cycles


def _tokens(heads: list[int]) -> list[Token]:
    return [Token(i, i + 1, "w", head, "dep", 0) for i, head in enumerate(heads)]


def _roots_reached(tokens: list[Token]) -> list[int]:
    """For every token, the root its heads lead to (fails on a cycle by running out of steps)."""
    roots = []
    for i in range(len(tokens)):
        current = i
        for _ in range(len(tokens) + 1):
            if tokens[current].head == current:
                break
            current = tokens[current].head
        assert tokens[current].head == current, f"token {i} never reaches a root"
        roots.append(current)
    return roots


def test_a_two_word_cycle_becomes_a_root_and_every_walk_up_the_heads_ends() -> None:
    tokens = _tokens([1, 2, 1, 3, 3])  # 1 <-> 2 is a cycle; 0 hangs on it; 3 is a root; 4 hangs on 3
    break_cycles(tokens)
    assert _roots_reached(tokens) in ([1, 1, 1, 3, 3], [2, 2, 2, 3, 3])
    assert tokens[3].head == 3 and tokens[4].head == 3 and tokens[0].head == 1


def test_a_tree_is_left_as_it_is() -> None:
    heads = [2, 2, 2, 2, 3]
    tokens = _tokens(heads)
    break_cycles(tokens)
    assert [t.head for t in tokens] == heads


def test_cycles_are_broken_only_from_the_given_sentence_start() -> None:
    tokens = _tokens([0, 0, 3, 2, 2])  # the second sentence (2-4) has the cycle 2 <-> 3
    break_cycles(tokens, first=2)
    assert [t.head for t in tokens[:2]] == [0, 0]
    _roots_reached(tokens)
