"""Fast PII detection built on presidio.

Per batch of texts:
1. a pre-filter (see :mod:`prefilter`) decides which texts may hold pattern entities and which stretches of
   text need NER (a few words around each candidate capitalised word);
2. those stretches go through spaCy in one ``nlp.pipe`` call with only the ``ner`` component enabled
   (tagger, parser, lemmatizer and the shared tok2vec do not change NER output in the small English
   model, and cost half the time);
3. presidio's ``AnalyzerEngine.analyze`` runs on every candidate text with those precomputed NLP artifacts,
   so the recognizers are presidio's own: spaCy PERSON/LOCATION, email, credit card (Luhn), US SSN, IP,
   IBAN (checksum), plus a pattern phone recognizer instead of the slow PhoneRecognizer and the misfiring
   NhsRecognizer, and a bounded e-mail pattern instead of EmailRecognizer's (which backtracks polynomially).
Texts that pass neither check are not analysed at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tuneline.data.pii.patterns import email_recognizer, phone_recognizer
from tuneline.data.pii.prefilter import needs_patterns, ner_chunks
from tuneline.data.pii.presidio_setup import create_nlp_engine, offline_environment

SUPPORTED_ENTITIES = (
    "PERSON",
    "LOCATION",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "US_SSN",
    "CREDIT_CARD",
    "IP_ADDRESS",
    "IBAN_CODE",
)
PATTERN_ENTITIES = tuple(e for e in SUPPORTED_ENTITIES if e not in ("PERSON", "LOCATION"))


@dataclass(frozen=True, slots=True)
class PiiSpan:
    entity_type: str
    start: int
    end: int
    score: float


class SpanScanner(Protocol):
    """What the report and redaction need from a PII engine."""

    description: str

    def scan(self, texts: Sequence[str]) -> list[list[PiiSpan]]: ...


_NER_ENTITIES = frozenset({"PERSON", "LOCATION"})


def _resolve_overlaps(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Keep the best of overlapping spans: pattern matches first (they are checksum/format-validated,
    while the small NER model tags e.g. IP addresses as places), then higher score, then longer."""
    chosen: list[PiiSpan] = []
    ranked = sorted(spans, key=lambda s: (s.entity_type in _NER_ENTITIES, -s.score, -(s.end - s.start), s.start))
    for span in ranked:
        if all(span.end <= c.start or span.start >= c.end for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


class PiiScanner:
    """Loads presidio once (~7 s); :meth:`scan` takes a batch of texts and returns spans per text."""

    def __init__(self, *, score_threshold: float = 0.35, batch_size: int = 256, prefilter: bool = True) -> None:
        offline_environment()  # before presidio imports tldextract, which reads it at import time
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.predefined_recognizers import (
            CreditCardRecognizer,
            IbanRecognizer,
            IpRecognizer,
            SpacyRecognizer,
            UsSsnRecognizer,
        )

        self.score_threshold = score_threshold
        self.description = (
            "presidio analyzer on en_core_web_sm (NER only) with a regex/capitalisation pre-filter; "
            f"score threshold {score_threshold}"
        )
        self.batch_size = batch_size
        self.prefilter = prefilter
        self._nlp_engine = create_nlp_engine()
        self._nlp = self._nlp_engine.nlp["en"]
        self._ner_only = [name for name in self._nlp.pipe_names if name != "ner"]
        registry = RecognizerRegistry(supported_languages=["en"])
        for recognizer in (
            SpacyRecognizer(supported_entities=["PERSON", "LOCATION"]),
            email_recognizer(),
            CreditCardRecognizer(),
            UsSsnRecognizer(),
            IpRecognizer(),
            IbanRecognizer(),
            phone_recognizer(),
        ):
            registry.add_recognizer(recognizer)
        self._analyzer = AnalyzerEngine(registry=registry, nlp_engine=self._nlp_engine, supported_languages=["en"])
        self.stats = {"texts": 0, "ner": 0, "patterns": 0, "skipped": 0}

    def _artifacts(self, doc: Any) -> Any:
        # The same conversion presidio's own process_batch applies (entity mapping, ignored labels).
        return self._nlp_engine._doc_to_nlp_artifact(doc, "en")

    def scan(self, texts: Sequence[str]) -> list[list[PiiSpan]]:
        results: list[list[PiiSpan]] = [[] for _ in texts]
        for offset in range(0, len(texts), self.batch_size):
            self._scan_batch(texts[offset : offset + self.batch_size], results, offset)
        return results

    def _ner_docs(self, texts: Sequence[str]) -> dict[int, Any]:
        """Full-text docs whose entities come from NER over the candidate stretches only."""
        chunks = {i: ner_chunks(text) if self.prefilter else [(0, len(text))] for i, text in enumerate(texts)}
        jobs = [(i, start, end) for i, ranges in chunks.items() for start, end in ranges]
        pieces = self._nlp.pipe((texts[i][s:e] for i, s, e in jobs), disable=self._ner_only, batch_size=self.batch_size)
        found: dict[int, list[tuple[int, int, str]]] = {}
        for (i, start, _), piece in zip(jobs, pieces, strict=True):
            found.setdefault(i, []).extend((start + e.start_char, start + e.end_char, e.label_) for e in piece.ents)
        docs: dict[int, Any] = {}
        for i, entities in ((i, found.get(i, [])) for i in chunks if chunks[i]):
            doc = self._nlp.make_doc(texts[i])
            spans = [doc.char_span(s, e, label=label, alignment_mode="expand") for s, e, label in entities]
            doc.ents = [span for span in spans if span is not None]
            docs[i] = doc
        return docs

    def _scan_batch(self, texts: Sequence[str], results: list[list[PiiSpan]], offset: int) -> None:
        docs = self._ner_docs(texts)
        for i, text in enumerate(texts):
            self.stats["texts"] += 1
            has_doc = i in docs
            wants_patterns = not self.prefilter or needs_patterns(text)
            if not has_doc and not wants_patterns:
                self.stats["skipped"] += 1
                continue
            if has_doc:
                self.stats["ner"] += 1
                artifacts = self._artifacts(docs[i])
                entities = list(SUPPORTED_ENTITIES) if wants_patterns else ["PERSON", "LOCATION"]
            else:
                # Tokenising alone is cheap and lets presidio's context words boost pattern scores.
                artifacts = self._artifacts(self._nlp.make_doc(text))
                entities = list(PATTERN_ENTITIES)
            if wants_patterns:
                self.stats["patterns"] += 1
            found = self._analyzer.analyze(
                text,
                language="en",
                entities=entities,
                nlp_artifacts=artifacts,
                score_threshold=self.score_threshold,
            )
            results[offset + i] = _resolve_overlaps(
                [PiiSpan(r.entity_type, r.start, r.end, float(r.score)) for r in found]
            )
