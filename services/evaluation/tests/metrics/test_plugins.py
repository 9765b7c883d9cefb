import pytest

from tuneline.evaluation.metrics.plugins import CustomMetricError, run_custom_metric

PLUGIN = """
def share_of_short(predictions, references, records):
    return sum(len(p) <= 5 for p in predictions) / len(predictions)

def by_site(predictions, references, records):
    sites = sorted({r["site"] for r in records})
    return {s: sum(p == r for p, r, rec in zip(predictions, references, records) if rec["site"] == s) for s in sites}

def broken(predictions, references, records):
    raise KeyError("site")

def not_a_number(predictions, references, records):
    return "high"

def nan(predictions, references, records):
    return float("nan")
"""


@pytest.fixture
def plugin_module(tmp_path, monkeypatch):
    (tmp_path / "acme_metrics.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "acme_metrics"


def test_single_float_is_reported_under_the_function_name(plugin_module):
    scores = run_custom_metric(f"{plugin_module}:share_of_short", ["ok", "too long"], ["", ""], [{}, {}])
    assert scores == {"share_of_short": 0.5}


def test_dict_result_is_prefixed_and_sees_raw_records(plugin_module):
    records = [{"site": "north"}, {"site": "south"}, {"site": "north"}]
    scores = run_custom_metric(f"{plugin_module}:by_site", ["a", "b", "c"], ["a", "x", "c"], records)
    assert scores == {"by_site.north": 2.0, "by_site.south": 0.0}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("no_colon_here", "expected 'package.module:function'"),
        ("surely_missing_module_xyz:f", "cannot import 'surely_missing_module_xyz'"),
        ("acme_metrics:absent", "has no callable 'absent'"),
        ("acme_metrics:broken", "raised KeyError"),
        ("acme_metrics:not_a_number", "not_a_number = 'high' is not a finite number"),
        ("acme_metrics:nan", "is not a finite number"),
    ],
)
def test_failures_name_the_metric_path_and_cause(plugin_module, path, message):
    with pytest.raises(CustomMetricError, match=message) as error:
        run_custom_metric(path, ["a"], ["a"], [{}])
    assert path in str(error.value)
