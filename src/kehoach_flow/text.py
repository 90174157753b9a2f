"""Text folding shared by parsers: Vietnamese compared without case, diacritics or extra spaces."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case ASCII form of a Vietnamese phrase: "Quý I-II" -> "quy i-ii"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip().lower()


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking a cut: for titles in lists and messages."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
