"""Generation on one base model with many LoRA adapters (or merged copies), LRU-evicted.

The base model is loaded once. In adapter mode every version is a named peft adapter on the same weights and a
request activates its adapter; in merged mode every version is a full copy of the base with its adapter merged
in (faster per token, one model's memory per version). Either way at most `max_loaded` versions stay resident.

peft's active adapter is state on the shared model, so the engine's own `generate` calls are serialised by a lock.
A serving replica does not call them one request at a time: batcher.py decodes every concurrent request together
(each row with its adapter), holding the same lock per step; `generate` serves merged mode, tools and benches.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tuneline.registry.serving.fetch import cached_path
from tuneline.registry.serving.loading import load_base_model, resolve_adapter_dir

BASE_KEY = "__base__"


class AdapterLoadError(RuntimeError):
    pass


@dataclass(frozen=True)
class GenerationParams:
    max_new_tokens: int = 16
    temperature: float = 1.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    seed: int | None = None


@dataclass(frozen=True)
class GenerationResult:
    text: str
    tokens_in: int
    tokens_out: int
    finish_reason: str  # "stop" or "length"


@dataclass(frozen=True)
class StreamEnd:
    tokens_in: int
    tokens_out: int
    finish_reason: str


class AdapterEngine:
    def __init__(
        self,
        base_model_path: str,
        *,
        merge: bool = False,
        max_loaded: int = 8,
        torch_threads: int | None = None,
        adapter_cache_dir: str | None = None,
        store: Any = None,
        base_sha256: dict[str, str] | None = None,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch

        if torch_threads:
            torch.set_num_threads(torch_threads)
        self.merge = merge
        self.max_loaded = max_loaded
        self._cache_dir = adapter_cache_dir
        self._store = store
        #: adapter URI -> pinned sha256 of each file; a replica learns them from its warm list.
        self.pins: dict[str, dict[str, str]] = {}
        self.tokenizer, self.base = load_base_model(base_model_path, store, base_sha256, adapter_cache_dir)
        self.device = self.base.device
        self._peft: Any = None  # PeftModel wrapping self.base once the first adapter loads (adapter mode)
        self._loaded: OrderedDict[str, Any] = OrderedDict()  # version_id -> adapter name or merged model
        self._lock = threading.RLock()
        self.load_seconds: dict[str, float] = {}

    # ---- adapters ---------------------------------------------------------------------------------------------

    @property
    def loaded(self) -> list[str]:
        return list(self._loaded)

    def ensure_loaded(self, version_id: str, adapter_uri: str | None) -> None:
        with self._lock:
            self._ensure_loaded(version_id, adapter_uri)

    def _ensure_loaded(self, version_id: str, adapter_uri: str | None) -> None:
        if adapter_uri is None:
            return  # the base model is always resident
        if version_id in self._loaded:
            self._loaded.move_to_end(version_id)
            return
        started = time.perf_counter()
        adapter_dir = resolve_adapter_dir(adapter_uri, self._cache_dir, self._store, self.pins.get(adapter_uri))
        try:
            self._loaded[version_id] = (
                self._load_merged(adapter_dir) if self.merge else self._load_adapter(version_id, adapter_dir)
            )
        except Exception as exc:  # peft raises several types for bad adapters; the caller needs one
            raise AdapterLoadError(f"adapter for version {version_id} at {adapter_uri}: {exc}") from exc
        self.load_seconds[version_id] = time.perf_counter() - started
        while len(self._loaded) > self.max_loaded:
            self._evict(next(iter(self._loaded)))

    def forget_all_but(self, version_ids: set[str], adapter_uris: set[str]) -> list[str]:
        """Unload every version not in `version_ids` and delete this node's downloaded copy of every adapter not in
        `adapter_uris` (a version that stopped serving: retired, archived, erased). Returns the versions unloaded."""
        with self._lock:
            gone = [v for v in self._loaded if v not in version_ids]
            for version_id in gone:
                self._evict(version_id)
            for uri in [u for u in self.pins if u not in adapter_uris]:
                digests = self.pins.pop(uri)
                if self._cache_dir is not None and digests:
                    shutil.rmtree(cached_path(uri, digests, self._cache_dir), ignore_errors=True)
            return gone

    def _load_adapter(self, name: str, adapter_dir: str) -> str:
        from peft import PeftModel

        if self._peft is None:
            self._peft = PeftModel.from_pretrained(self.base, adapter_dir, adapter_name=name, is_trainable=False)
            self._peft.eval()
        else:
            self._peft.load_adapter(adapter_dir, adapter_name=name, is_trainable=False)
        return name

    def _load_merged(self, adapter_dir: str) -> Any:
        import copy

        from peft import PeftModel

        merged = PeftModel.from_pretrained(copy.deepcopy(self.base), adapter_dir, is_trainable=False)
        model = merged.merge_and_unload()
        model.eval()
        return model

    def _evict(self, version_id: str) -> None:
        entry = self._loaded.pop(version_id)
        if not self.merge:
            self._peft.delete_adapter(entry)
        self.load_seconds.pop(version_id, None)

    def _model_for(self, version_id: str, adapter_uri: str | None) -> tuple[Any, Any]:
        """(model to call generate on, context manager to hold around the call)."""
        import contextlib

        if adapter_uri is None:
            if self._peft is not None and not self.merge:
                return self._peft, self._peft.disable_adapter()
            return self.base, contextlib.nullcontext()
        self._ensure_loaded(version_id, adapter_uri)
        if self.merge:
            return self._loaded[version_id], contextlib.nullcontext()
        self._peft.set_adapter(self._loaded[version_id])
        return self._peft, contextlib.nullcontext()

    # ---- prompts ----------------------------------------------------------------------------------------------

    def encode_chat(self, messages: list[dict[str, str]]) -> list[int]:
        if getattr(self.tokenizer, "chat_template", None):
            text = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        else:  # a model without a template still gets an unambiguous turn layout
            text = "".join(f"{m['role']}: {m['content']}\n" for m in messages) + "assistant: "
        ids: list[int] = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return ids

    def encode_text(self, prompt: str) -> list[int]:
        ids: list[int] = self.tokenizer(prompt)["input_ids"]
        return ids

    # ---- generation -------------------------------------------------------------------------------------------

    def generate(
        self, version_id: str, adapter_uri: str | None, prompt_ids: list[int], params: GenerationParams
    ) -> GenerationResult:
        import torch

        with self._lock:
            model, ctx = self._model_for(version_id, adapter_uri)
            inputs = torch.tensor([prompt_ids], dtype=torch.long, device=self.device)
            with ctx, torch.inference_mode():
                out = model.generate(
                    input_ids=inputs, attention_mask=torch.ones_like(inputs), **self._gen_kwargs(params)
                )
        new_ids = out[0, len(prompt_ids) :].tolist()
        text, finish = self._finish(new_ids, params)
        return GenerationResult(text, len(prompt_ids), len(new_ids), finish)

    def generate_stream(
        self, version_id: str, adapter_uri: str | None, prompt_ids: list[int], params: GenerationParams
    ) -> Iterator[str | StreamEnd]:
        """Yields text pieces as they are decoded, then one StreamEnd with the counts."""
        import torch
        from transformers import TextIteratorStreamer

        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        result: dict[str, Any] = {}

        def run() -> None:
            try:
                with self._lock:
                    model, ctx = self._model_for(version_id, adapter_uri)
                    inputs = torch.tensor([prompt_ids], dtype=torch.long, device=self.device)
                    with ctx, torch.inference_mode():
                        out = model.generate(
                            input_ids=inputs,
                            attention_mask=torch.ones_like(inputs),
                            streamer=streamer,
                            **self._gen_kwargs(params),
                        )
                result["ids"] = out[0, len(prompt_ids) :].tolist()
            except BaseException as exc:  # surfaced to the consumer below, never swallowed
                result["error"] = exc
                streamer.end()

        worker = threading.Thread(target=run, name="generate-stream", daemon=True)
        worker.start()
        emitted = ""
        stopped_early = False
        for piece in streamer:
            emitted_next = emitted + piece
            cut = _first_stop(emitted_next, params.stop)
            if cut is not None:
                if cut > len(emitted):
                    yield emitted_next[len(emitted) : cut]
                emitted, stopped_early = emitted_next[:cut], True
                break
            if piece:
                yield piece
            emitted = emitted_next
        if stopped_early:  # drain so the generation thread can finish; the end marker arrives once only
            for _ in streamer:
                pass
        worker.join()
        if "error" in result:
            raise result["error"]
        new_ids = result["ids"]
        _, finish = self._finish(new_ids, params)
        yield StreamEnd(len(prompt_ids), len(new_ids), finish)

    def _gen_kwargs(self, params: GenerationParams) -> dict[str, Any]:
        import torch

        kwargs: dict[str, Any] = {"max_new_tokens": params.max_new_tokens, "pad_token_id": self._pad_id()}
        if params.temperature <= 0:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        else:
            kwargs.update(do_sample=True, temperature=params.temperature, top_p=params.top_p, top_k=None)
            if params.seed is not None:
                torch.manual_seed(params.seed)  # under the lock, so the seed governs this request only
        if params.stop:
            kwargs.update(stop_strings=list(params.stop), tokenizer=self.tokenizer)
        return kwargs

    def _pad_id(self) -> int:
        pad = self.tokenizer.pad_token_id
        return int(pad if pad is not None else next(iter(self._eos_ids())))

    def _eos_ids(self) -> set[int]:
        eos = self.tokenizer.eos_token_id
        return set(eos) if isinstance(eos, list) else {eos}

    def _finish(self, new_ids: list[int], params: GenerationParams) -> tuple[str, str]:
        text: str = self.tokenizer.decode(new_ids, skip_special_tokens=True)
        cut = _first_stop(text, params.stop)
        if cut is not None:
            return text[:cut], "stop"
        stopped = bool(new_ids) and new_ids[-1] in self._eos_ids()
        return text, "stop" if stopped or len(new_ids) < params.max_new_tokens else "length"


def _with_max(params: GenerationParams, max_new_tokens: int) -> GenerationParams:
    return GenerationParams(max_new_tokens, params.temperature, params.top_p, params.stop, params.seed)


def _first_stop(text: str, stops: tuple[str, ...]) -> int | None:
    hits = [i for i in (text.find(s) for s in stops if s) if i >= 0]
    return min(hits) if hits else None
