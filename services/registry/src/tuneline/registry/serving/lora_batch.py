"""Rows of different adapters in one LoRA pass per layer.

peft answers a batch that mixes adapters (``adapter_names``) with a pass per adapter on every LoRA layer: gather
the adapter's rows, two small matmuls, scatter them back. A decode step of eight rows of eight adapters makes eight
such passes on each of the model's LoRA layers, and on a CPU those small operations cost as much as the model's own
step. Here every LoRA ``Linear`` layer keeps its adapters' weights stacked (slot 0 is "no adapter": zeros), so a
mixed batch costs one gather of each row's A and B and two batched matmuls, whatever the number of adapters.

The stacks hold every loaded adapter and are rebuilt on a layer's first pass after the loaded set changed (a load or
an eviction); ranks are padded with zeros to the largest (the padded rows and columns add nothing). A layer whose
adapters use something this does not do (a LoRA variant such as DoRA, a bias on B, a non-3-D input) answers with
peft's own mixed-batch pass.
"""

from __future__ import annotations

import types
from typing import Any

BASE_ADAPTER = "__base__"  # peft's name for "no adapter" in a mixed batch


class BatchedLora:
    """Installed on a PeftModel's LoRA ``Linear`` layers (their ``_mixed_batch_forward``); the batcher calls
    `prepare` with each pass's ``adapter_names`` before the model runs."""

    def __init__(self) -> None:
        self._installed: set[int] = set()
        self._names: tuple[str, ...] = ()  # loaded adapters in slot order (slot i + 1)
        self._rows: list[str] | None = None  # the adapter_names list of the pass in progress
        self._slots: Any = None  # its slot per row (a long tensor)
        self._any_adapter = False
        self._stacks: dict[int, tuple[tuple[str, ...], Any]] = {}  # id(layer) -> (names, (A, B, scale) or None)

    def prepare(self, model: Any, adapter_names: list[str]) -> None:
        """Before a mixed-batch pass: install on new LoRA layers, and map the pass's rows to slots."""
        import torch
        from peft.tuners.lora.layer import Linear

        names = tuple(model.peft_config)
        if names != self._names:
            self._names = names
            for layer in model.modules():
                if isinstance(layer, Linear) and id(layer) not in self._installed:
                    self._install(layer)
        slot = {name: i + 1 for i, name in enumerate(self._names)}
        self._rows = adapter_names
        self._slots = torch.tensor([slot.get(n, 0) for n in adapter_names], dtype=torch.long)
        self._any_adapter = any(n != BASE_ADAPTER for n in adapter_names)

    def _install(self, layer: Any) -> None:
        import torch
        from peft.tuners.lora.layer import VARIANT_KWARG_KEYS

        peft_forward = layer._mixed_batch_forward  # the bound method of peft's class
        owner = self

        def forward(self_: Any, x: Any, *args: Any, adapter_names: list[str], **kwargs: Any) -> Any:
            if adapter_names is not owner._rows or x.dim() != 3:
                return peft_forward(x, *args, adapter_names=adapter_names, **kwargs)
            stack = owner._stack(self_)
            if stack is None:
                return peft_forward(x, *args, adapter_names=adapter_names, **kwargs)
            variant = {key: kwargs.pop(key, None) for key in VARIANT_KWARG_KEYS}
            if any(value is not None for value in variant.values()):  # aLoRA offsets: peft's own pass
                return peft_forward(x, *args, adapter_names=adapter_names, **kwargs, **variant)
            result = self_.base_layer(x, *args, **kwargs)
            if not owner._any_adapter:
                return result
            a_stack, b_stack, scale = stack
            slots = owner._slots.to(a_stack.device)
            low = torch.bmm(x.to(a_stack.dtype), a_stack.index_select(0, slots))  # (rows, seq, r)
            delta = torch.bmm(low, b_stack.index_select(0, slots)) * scale.index_select(0, slots)
            return result + delta.to(result.dtype)

        layer._mixed_batch_forward = types.MethodType(forward, layer)
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
