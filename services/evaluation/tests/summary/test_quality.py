import pytest

from tuneline.evaluation.gate.decision import CapabilityScores, GateThresholds, decide
from tuneline.evaluation.summary.kpi import check_kpis
from tuneline.evaluation.summary.quality import quality_score


def test_score_combines_task_kpis_and_retention_with_breakdown():
    gate = decide(CapabilityScores(30.0, 0.5), CapabilityScores(40.0, 0.4), GateThresholds(max_suite_drop=0.2))
    kpis = check_kpis({"accuracy": 0.9, "macro_f1": 0.7}, {"accuracy": 0.8, "macro_f1": 0.75})
    score = quality_score("accuracy", {"accuracy": 0.8, "macro_f1": 0.75}, kpis, gate)
    parts = {c.name: c for c in score.components}
    # task 0.8·60 = 48; kpis 1/2·20 = 10; retention ((30/40) + (0.4/0.5))/2 = 0.775 → 15.5.
    assert parts["task"].points == pytest.approx(48.0)
    assert parts["kpis"].points == pytest.approx(10.0)
    assert parts["retention"].value == pytest.approx(0.775)
    assert score.score == pytest.approx(73.5)


def test_missing_components_rescale_the_weights():
    score = quality_score("bleu", {"bleu": 40.0})
    assert [c.name for c in score.components] == ["task"]
    assert score.components[0].weight == pytest.approx(100.0)
    assert score.score == pytest.approx(40.0)


def test_missing_primary_metric_is_named():
    with pytest.raises(ValueError, match="'rougeL'"):
        quality_score("rougeL", {"bleu": 1.0})
