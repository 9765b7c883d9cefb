"""Custom metrics per use case, named by a dotted path ``"package.module:function"``.

The function must have this signature (extra keyword-only parameters with defaults are allowed)::

    def my_metric(
        predictions: list[str],         # generated outputs, one per held-out record
        references: list[str],          # expected outputs, same order
        records: list[dict[str, Any]],  # the raw held-out records (for fields beyond prompt/reference)
    ) -> float | dict[str, float]:      # one score, or several named scores

A single float is reported under the function's name; a dict is reported as ``"<function>.<key>"``.
Every value must be a finite number. Any failure (import, missing function, exception, wrong return type)
raises ``CustomMetricError`` naming the dotted path and what went wrong.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

CustomMetric = Callable[[list[str], list[str], list[dict[str, Any]]], float | Mapping[str, float]]


class CustomMetricError(RuntimeError):
    """A custom metric could not be loaded or did not return finite numbers."""


def load_custom_metric(path: str) -> CustomMetric:
    module_name, separator, attribute = path.partition(":")
    if not separator or not module_name or not attribute:
        raise CustomMetricError(f"custom metric {path!r}: expected 'package.module:function'")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        raise CustomMetricError(f"custom metric {path!r}: cannot import {module_name!r}: {error}") from error
    function = getattr(module, attribute, None)
    if function is None or not callable(function):
        raise CustomMetricError(f"custom metric {path!r}: {module_name} has no callable {attribute!r}")
    metric: CustomMetric = function
    return metric


def run_custom_metric(
    path: str,
    predictions: Sequence[str],
    references: Sequence[str],
    records: Sequence[Mapping[str, Any]],
) -> dict[str, float]:
    metric = load_custom_metric(path)
    name = path.partition(":")[2]
    try:
        result = metric(list(predictions), list(references), [dict(r) for r in records])
    except Exception as error:
        raise CustomMetricError(f"custom metric {path!r} raised {type(error).__name__}: {error}") from error
    scores = {name: result} if not isinstance(result, Mapping) else {f"{name}.{k}": v for k, v in result.items()}
    for key, value in scores.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise CustomMetricError(f"custom metric {path!r}: {key} = {value!r} is not a finite number")
    return {key: float(value) for key, value in scores.items()}
