"""Classification on one encoder base model (BERT-style) for every version fine-tuned from it, LRU-evicted.

Each version trained by the classification recipe is a LoRA adapter plus its own classification head (its own
label set and size), so versions cannot share one head module: a version is loaded as the base encoder with its
head, the adapter merged in (a full copy per version: ~90 MB for MiniLM, hence the same `max_loaded` LRU as merged
causal versions). A request is one forward pass: the head's softmax gives each label's probability, the argmax the
label. The base encoder alone has no head, so a version without an adapter cannot classify.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuneline.registry.serving.engine import AdapterLoadError
from tuneline.registry.serving.fetch import cached_path
from tuneline.registry.serving.loading import fetch_base_dir, resolve_adapter_dir

#: Written by the training service's classification recipe beside the adapter: the head's label order.
CLASSIFIER_FILE = "classifier.json"


@dataclass(frozen=True)
class Classification:
    label: str
    scores: dict[str, float]  # label -> probability, in the head's label order
    tokens_in: int


@dataclass
class _Version:
    model: Any
    labels: list[str]


class EncoderEngine:
    merge = False  # status() reports it like AdapterEngine's

    def __init__(
        self,
        base_model_path: str,
        *,
        max_loaded: int = 8,
        torch_threads: int | None = None,
        adapter_cache_dir: str | None = None,
        store: Any = None,
        base_sha256: dict[str, str] | None = None,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoTokenizer

        if torch_threads:
            torch.set_num_threads(torch_threads)
        self.max_loaded = max_loaded
        self._cache_dir = adapter_cache_dir
        self._store = store
        self.pins: dict[str, dict[str, str]] = {}
        self.base_dir = fetch_base_dir(base_model_path, store, base_sha256, adapter_cache_dir)
        self.tokenizer = AutoTokenizer.from_pretrained(self.base_dir, local_files_only=True)
        self._loaded: OrderedDict[str, _Version] = OrderedDict()
        self._lock = threading.RLock()
        self.load_seconds: dict[str, float] = {}

    @property
    def loaded(self) -> list[str]:
        return list(self._loaded)

    def ensure_loaded(self, version_id: str, adapter_uri: str | None) -> None:
        with self._lock:
            self._ensure_loaded(version_id, adapter_uri)

    def _ensure_loaded(self, version_id: str, adapter_uri: str | None) -> _Version:
        if adapter_uri is None:
            raise AdapterLoadError(
                f"version {version_id}: an encoder base model has no classification head of its own; "
                "serve a version trained by the classification recipe"
            )
        if version_id in self._loaded:
            self._loaded.move_to_end(version_id)
            return self._loaded[version_id]
        started = time.perf_counter()
        adapter_dir = Path(resolve_adapter_dir(adapter_uri, self._cache_dir, self._store, self.pins.get(adapter_uri)))
        try:
            version = self._load(adapter_dir)
        except Exception as exc:  # peft/transformers raise several types for bad adapters; the caller needs one
            raise AdapterLoadError(f"adapter for version {version_id} at {adapter_uri}: {exc}") from exc
        self._loaded[version_id] = version
        self.load_seconds[version_id] = time.perf_counter() - started
        while len(self._loaded) > self.max_loaded:
            self._loaded.popitem(last=False)
        return version

    def _load(self, adapter_dir: Path) -> _Version:
        import torch
        import transformers
        from peft import PeftModel
        from transformers import AutoModelForSequenceClassification

        if not (adapter_dir / CLASSIFIER_FILE).is_file():
            raise ValueError(f"no {CLASSIFIER_FILE} beside the adapter: not an encoder classifier")
        labels = [str(label) for label in json.loads((adapter_dir / CLASSIFIER_FILE).read_text())["labels"]]
        verbosity = transformers.logging.get_verbosity()
        transformers.logging.set_verbosity_error()  # the base encoder's head is new until the adapter's replaces it
        try:
            encoder = AutoModelForSequenceClassification.from_pretrained(
                self.base_dir,
                num_labels=len(labels),
                id2label=dict(enumerate(labels)),
                label2id={label: i for i, label in enumerate(labels)},
                local_files_only=True,
                dtype=torch.float32,
            )
        finally:
            transformers.logging.set_verbosity(verbosity)
        model = PeftModel.from_pretrained(encoder, str(adapter_dir), is_trainable=False).merge_and_unload()
        model.eval()
        return _Version(model=model, labels=labels)

    def forget_all_but(self, version_ids: set[str], adapter_uris: set[str]) -> list[str]:
        with self._lock:
            gone = [v for v in self._loaded if v not in version_ids]
            for version_id in gone:
                del self._loaded[version_id]
            for uri in [u for u in self.pins if u not in adapter_uris]:
                digests = self.pins.pop(uri)
                if self._cache_dir is not None and digests:
                    shutil.rmtree(cached_path(uri, digests, self._cache_dir), ignore_errors=True)
            return gone

    def classify(self, version_id: str, adapter_uri: str | None, text: str) -> Classification:
        import torch

        with self._lock:
            version = self._ensure_loaded(version_id, adapter_uri)
            encoded = self.tokenizer(text, return_tensors="pt", truncation=True)
            with torch.inference_mode():
                probabilities = torch.softmax(version.model(**encoded).logits.float()[0], dim=-1).tolist()
        best = max(range(len(probabilities)), key=probabilities.__getitem__)
        return Classification(
            label=version.labels[best],
            scores=dict(zip(version.labels, probabilities, strict=True)),
            tokens_in=int(encoded["input_ids"].shape[1]),
        )
