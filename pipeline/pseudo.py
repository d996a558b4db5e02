"""Pseudo-translations for layout testing: en-XA (accented, longer) and ar-XB (right-to-left).

Only the text between tags and placeholders changes, so a pseudo catalog always passes the
checks and shows where text is not extracted (it stays plain English on the page).
"""

from __future__ import annotations

from pipeline.model import Segment
from pipeline.notation import parse_message
from pipeline.notation import serialize as serialize_message

ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçđéƒĝĥîĵķĺɱñöþǫŕšţûṽŵẋýžÀßÇĐÉƑĜĤÎĴĶĹṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
RLO, PDF = "\u202e", "\u202c"  # right-to-left override, pop directional formatting


def accented(text: str) -> str:
    """en-XA: every letter accented, about 35% longer, so truncation and overflow show."""
    if not text.strip():
        return text
    padding = "~" * max(1, round(len(text.strip()) * 0.35))
    return text.translate(ACCENTED) + padding


def mirrored(text: str) -> str:
    """ar-XB: the text shown right to left, so mirrored layouts can be checked in English."""
    return f"{RLO}{text}{PDF}" if text.strip() else text


def pseudo_translate(segment: Segment, transform) -> str:
    """The segment's msgid with `transform` applied to its text, bracketed."""
    tokens = [
        (kind, transform(value) if kind == "text" else value)
        for kind, value in parse_message(segment.msgid, segment)
    ]
    return "[" + serialize_message(tokens, segment.is_format) + "]"
