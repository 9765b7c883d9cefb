"""Toxicity flags from a curated lexicon matched on word boundaries (offline, deterministic).

What it catches: listed profanity, insults, threats of violence, self-harm phrases and sexual terms, in any
letter case, as whole words or phrases (so "class" or "Scunthorpe" do not trip on a substring), including
plural/-ing/-ed forms and a few common masked spellings ("f*ck").
What it cannot catch: toxicity without listed words (sarcasm, implicit threats, demeaning stereotypes),
deliberate obfuscation beyond the listed variants (leetspeak, inserted spaces), non-English text, and
context (a quoted insult in a moderation guideline is flagged like a real one). Hate-speech slurs are not
shipped in this source file; deployments add their maintained term list through `extra_terms`. The flag
is a signal for human review, not a verdict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

LEXICON: dict[str, tuple[str, ...]] = {
    "profanity": (
        "fuck",
        "f*ck",
        "f**k",
        "fucking",
        "fucker",
        "motherfucker",
        "shit",
        "sh*t",
        "bullshit",
        "asshole",
        "a**hole",
        "bastard",
        "bitch",
        "b*tch",
        "damn",
        "goddamn",
        "crap",
        "dickhead",
        "piss off",
        "wtf",
        "stfu",
    ),
    "insult": (
        "idiot",
        "moron",
        "imbecile",
        "stupid",
        "dumbass",
        "retard",
        "loser",
        "scum",
        "worthless",
        "pathetic",
        "shut up",
        "cretin",
        "useless idiot",
        "piece of garbage",
        "piece of trash",
    ),
    "threat": (
        "kill you",
        "i will kill",
        "gonna kill",
        "murder you",
        "shoot you",
        "stab you",
        "beat you up",
        "burn your house",
        "hurt you",
        "you will die",
        "you deserve to die",
    ),
    "self_harm": ("kill myself", "suicide", "self harm", "self-harm", "cut myself", "end my life"),
    "sexual": ("porn", "porno", "blowjob", "dildo", "pussy", "slut", "whore", "nude pics"),
}


_SUFFIXES = ("", "s", "es", "ed", "ing", "er", "ers")
_TOKEN = re.compile(r"[\w*]+")


def _variants(term: str) -> list[str]:
    # Masked spellings ("f*ck") are matched as written; words also with common inflections.
    return [term + suffix for suffix in _SUFFIXES] if term[-1].isalpha() else [term]


@dataclass
class ToxicityScanner:
    """Lexicon as word and phrase sets; :meth:`categories` returns the categories a text hits.

    Matching works on word tokens, so boundaries come for free and one pass over the text costs a
    tokenisation plus set look-ups, whatever the lexicon size.
    """

    extra_terms: Iterable[tuple[str, str]] = ()

    def __post_init__(self) -> None:
        groups: dict[str, list[str]] = {cat: list(terms) for cat, terms in LEXICON.items()}
        for category, term in self.extra_terms:
            groups.setdefault(category, []).append(term.lower())
        self._order = list(groups)
        self._words: dict[str, str] = {}
        self._phrases: dict[tuple[str, ...], str] = {}
        for category, terms in groups.items():
            for term in terms:
                parts = _TOKEN.findall(term.lower().replace("-", " "))
                if len(parts) == 1:
                    for variant in _variants(parts[0]):
                        self._words.setdefault(variant, category)
                else:
                    for variant in _variants(parts[-1]):
                        self._phrases.setdefault((*parts[:-1], variant), category)
        self._phrase_starts = {phrase[0] for phrase in self._phrases}
        self._phrase_lengths = sorted({len(phrase) for phrase in self._phrases})

    def categories(self, text: str) -> list[str]:
        tokens = _TOKEN.findall(text.lower().replace("-", " "))
        found = {self._words[t] for t in tokens if t in self._words}
        for i, token in enumerate(tokens):
            if token in self._phrase_starts:
                for length in self._phrase_lengths:
                    category = self._phrases.get(tuple(tokens[i : i + length]))
                    if category is not None:
                        found.add(category)
        return [category for category in self._order if category in found]
