"""Fuzzy matching of source texts: how alike two texts are, and the most alike among many.

The measure is msgmerge's (gettext's fstrcmp): the share of both texts' characters that
a shortest insert-and-delete edit keeps, 1 - (insertions + deletions) / (len(a) + len(b)).
rapidfuzz computes it (its Indel distance, bit-parallel in C++) in microseconds where
difflib's SequenceMatcher took milliseconds on a paragraph; difflib's ratio is never above
this one, so a pair that passed the threshold before still passes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from rapidfuzz.distance import Indel

# Beyond this many texts, only the CANDIDATES sharing the most word pairs with a query are
# compared with it; up to it, every text is (as cheap as filtering, and exact).
CANDIDATES = 48
# Postings visited per query, rarest word pairs first: a pair as common as "of the" adds
# little but could hold every text of a big memory.
POSTINGS_BUDGET = 20_000
WORD = re.compile(r"\w+")


def similarity(a: str, b: str, cutoff: float = 0.0) -> float:
    """How alike two texts are, 0..1 (1: the same); 0.0 when below `cutoff`."""
    # Compared here, not with rapidfuzz's score_cutoff: it turns the cutoff into a whole
    # distance and drops scores at the cutoff ('aaa' and 'a..' score 1/3 but fail a 1/3 one).
    score = Indel.normalized_similarity(a, b)
    return score if score >= cutoff else 0.0


def word_pairs(text: str) -> set[tuple[str, str]]:
    """The text's adjacent lowercased words, with its first and last word paired with ""
    (so that a one-word text has pairs too)."""
    words = ["", *WORD.findall(text.lower()), ""]
    return set(zip(words, words[1:], strict=False))


def most_similar(
    query: str, texts: Sequence[str], threshold: float, indexes=None
) -> tuple[int, float] | None:
    """(index, score) of the first of the most similar texts scoring at least `threshold`,
    or None; only the texts at `indexes` (ascending) are compared, when given."""
    best, best_score = None, threshold
    for index in range(len(texts)) if indexes is None else indexes:
        score = similarity(query, texts[index], best_score)
        if score and (score > best_score or best is None):
            best, best_score = index, score
    return None if best is None else (best, best_score)


class FuzzyIndex:
    """Texts filed under their word pairs, to find the most similar to a query without
    comparing it with each: the candidates are the CANDIDATES texts sharing the most word
    pairs with it (rarest pairs first), and only they are scored.

    Where it may differ from comparing with every text (`most_similar` over all): with more
    than CANDIDATES texts, a text that shares no word pair with the query, or fewer than the
    CANDIDATES best-sharing others, is not found even if it scores above the threshold.
    """

    def __init__(self, texts: Sequence[str]):
        self.texts = texts
        self.postings: dict[tuple[str, str], list[int]] = {}
        if len(texts) > CANDIDATES:
            for index, text in enumerate(texts):
                for pair in word_pairs(text):
                    self.postings.setdefault(pair, []).append(index)

    def candidates(self, query: str) -> list[int] | None:
        """Indexes (ascending) of the texts worth scoring; None: all of them."""
        if len(self.texts) <= CANDIDATES:
            return None
        found = [self.postings[pair] for pair in word_pairs(query) if pair in self.postings]
        counts: Counter[int] = Counter()
        visited = 0
        for postings in sorted(found, key=len):
            if counts and visited + len(postings) > POSTINGS_BUDGET:
                break
            counts.update(postings)
            visited += len(postings)
        return sorted(index for index, _ in counts.most_common(CANDIDATES))

    def best(self, query: str, threshold: float) -> tuple[int, float] | None:
        """(index, score) of the most similar candidate scoring at least `threshold` (the
        first of equals), or None when there is none."""
        return most_similar(query, self.texts, threshold, self.candidates(query))
