"""Offline language identification from stop-word profiles.

Each language has a list of its most frequent function words; a text's language is the one whose words
make up the largest share of its tokens, provided at least `min_hits` of them occur and the winner beats
the runner-up clearly. Limits: texts under ~5 words, code, tables, numbers-only logs and domain jargon
come out as "und" (undetermined); closely related languages (es/pt, nl/de, da/no/sv) can be confused on
short texts; only the languages listed here can be recognised.
"""

from __future__ import annotations

import re
from importlib.resources import files

UNDETERMINED = "und"


def _load_stopwords() -> dict[str, frozenset[str]]:
    text = files("tuneline.data.processing").joinpath("resources/stopwords.txt").read_text(encoding="utf-8")
    profiles: dict[str, frozenset[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            lang, _, words = line.partition(":")
            profiles[lang.strip()] = frozenset(words.split())
    return profiles


STOPWORDS = _load_stopwords()
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_LANGUAGES_OF: dict[str, tuple[str, ...]] = {}
for _lang, _words in STOPWORDS.items():
    for _word in _words:
        _LANGUAGES_OF[_word] = (*_LANGUAGES_OF.get(_word, ()), _lang)


def detect_language(text: str, *, min_hits: int = 2, margin: float = 1.25) -> str:
    """ISO 639-1 code of the text's language, or "und" when the evidence is too thin."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 3:
        return UNDETERMINED
    scores = dict.fromkeys(STOPWORDS, 0)
    for word in words:
        for lang in _LANGUAGES_OF.get(word, ()):
            scores[lang] += 1
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, best_hits), (_, second_hits) = ranked[0], ranked[1]
    if best_hits < min_hits or best_hits < second_hits * margin:
        return UNDETERMINED
    return best
