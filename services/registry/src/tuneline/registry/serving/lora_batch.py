"""Rows of different adapters in one LoRA pass per layer.

peft answers a batch that mixes adapters (``adapter_names``) with a pass per adapter on every LoRA layer: gather
the adapter's rows, two small matmuls, scatter them back. A decode step of eight rows of eight adapters makes eight
such passes on each of the model's LoRA layers, and on a CPU those small operations cost as much as the model's own
step. Here every LoRA ``Linear`` layer keeps its adapters' weights stacked (slot 0 is "no adapter": zeros), so a
mixed batch costs one gather of each row's A and B and two batched matmuls, whatever the number of adapters.

The stacks hold every loaded adapter and are rebuilt on a layer's first pass after the loaded set changed (a load or
an eviction); ranks are padded with zeros to the largest (the padded rows and columns add nothing). A layer whose
adapters use something this does not do (a LoRA variant, a bias on B, merged weights, a non-3-D input) answers with
peft's own mixed-batch pass for that layer.

The pass runs inside `mixed(model, adapter_names)` and the model is called without ``adapter_names``: peft's way of
passing them (a hook registered on every LoRA layer and a scan of every module, on each call) cost a decode step of
SmolLM2 as much as the LoRA products themselves. Outside `mixed`, the layers behave exactly as peft's.
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Iterator
from typing import Any

BASE_ADAPTER = "__base__"  # peft's name for "no adapter" in a mixed batch


class BatchedLora:
    """Installed on a PeftModel's LoRA ``Linear`` layers (their ``forward``); `mixed` runs one pass of rows that
    each name their adapter."""

    def __init__(self) -> None:
        self._installed: set[int] = set()
        self._names: tuple[str, ...] = ()  # loaded adapters in slot order (slot i + 1)
        self._rows: list[str] | None = None  # each row's adapter, during a mixed pass (None: peft's own forward)
        self._slots: Any = None  # their slots (a long tensor)
        self._any_adapter = False
        self._others = False  # a LoRA layer of another kind than Linear is loaded: peft's own mixed pass throughout
        self._stacks: dict[int, tuple[tuple[str, ...], Any]] = {}  # id(layer) -> (names, (A, B, scale) or None)

    @contextlib.contextmanager
    def mixed(self, model: Any, adapter_names: list[str]) -> Iterator[None]:
        """Within: a call of `model` (without ``adapter_names``) gives row i the adapter ``adapter_names[i]``."""
        import torch
        from peft.tuners.lora.layer import Linear, LoraLayer

        names = tuple(model.peft_config)
        unknown = {n for n in adapter_names if n != BASE_ADAPTER} - set(names)
        if unknown:
            raise ValueError(f"no adapter loaded as {sorted(unknown)}")
        if names != self._names:
            self._names = names
            self._others = False
            for layer in model.modules():  # an adapter with other target modules may have added LoRA layers
                if isinstance(layer, Linear):
                    if id(layer) not in self._installed:
                        self._install(layer)
                elif isinstance(layer, LoraLayer):
                    self._others = True  # e.g. a LoRA on the embedding: only peft's hooks reach it
        if self._others:
            with model.base_model._enable_peft_forward_hooks(adapter_names=adapter_names):
                yield
            return
        slot = {name: i + 1 for i, name in enumerate(self._names)}
        self._slots = torch.tensor([slot.get(n, 0) for n in adapter_names], dtype=torch.long)
        self._any_adapter = any(n != BASE_ADAPTER for n in adapter_names)
        self._rows = adapter_names
        try:
            yield
        finally:
            self._rows = None

    def _install(self, layer: Any) -> None:
        import torch

        peft_forward = layer.forward  # bound: peft's LoRA Linear forward
        owner = self

        def forward(self_: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
            rows = owner._rows
            if rows is None or "adapter_names" in kwargs:  # not a mixed pass of ours: peft as it is
                return peft_forward(x, *args, **kwargs)
            stack = owner._stack(self_)
            if stack is None or x.dim() != 3 or self_.merged:
                return self_._mixed_batch_forward(x, *args, adapter_names=rows, **kwargs)
            result = self_.base_layer(x, *args, **kwargs)
            if not owner._any_adapter:
                return result
            a_stack, b_stack, scale = stack
            slots = owner._slots.to(a_stack.device)
            low = torch.bmm(x.to(a_stack.dtype), a_stack.index_select(0, slots))  # (rows, seq, r)
            delta = torch.bmm(low, b_stack.index_select(0, slots)) * scale.index_select(0, slots)
            return result + delta.to(result.dtype)

        layer.forward = types.MethodType(forward, layer)
        self._installed.add(id(layer))

    def _stack(self, layer: Any) -> tuple[Any, Any, Any] | None:
        """The layer's stacked A (slots, in, r), B (slots, r, out) and scale (slots, 1, 1) for the loaded adapters;
        None where this layer needs peft's own pass."""
        import torch

        cached = self._stacks.get(id(layer))
        if cached is not None and cached[0] == self._names:
            stack: tuple[Any, Any, Any] | None = cached[1]
            return stack
        present = [n for n in self._names if n in layer.lora_A]
        unsupported = any(
            n in getattr(layer, "lora_variant", {}) or layer.lora_B[n].bias is not None or layer.fan_in_fan_out
            for n in present
        )
        stack = None
        if present and not unsupported:
            weight = layer.lora_A[present[0]].weight
            rank = max(layer.lora_A[n].weight.shape[0] for n in present)
            slots = len(self._names) + 1
            a_stack = torch.zeros((slots, layer.in_features, rank), dtype=weight.dtype, device=weight.device)
            b_stack = torch.zeros((slots, rank, layer.out_features), dtype=weight.dtype, device=weight.device)
            scale = torch.zeros((slots, 1, 1), dtype=weight.dtype, device=weight.device)
            for i, name in enumerate(self._names):
                if name not in layer.lora_A:
                    continue  # this adapter does not touch the layer: its slot adds zeros
                a, b = layer.lora_A[name].weight, layer.lora_B[name].weight  # (r, in), (out, r)
                a_stack[i + 1, :, : a.shape[0]] = a.t()
                b_stack[i + 1, : b.shape[1], :] = b.t()
                scale[i + 1] = layer.scaling[name]
            stack = (a_stack, b_stack, scale)
        self._stacks[id(layer)] = (self._names, stack)
        return stack
