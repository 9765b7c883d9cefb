from tuneline.evaluation.summary.errors import per_class_errors, regressions, worst_samples
from tuneline.evaluation.summary.report import summarise


def test_worst_samples_rank_tuned_score_then_order(outcome):
    assert [s.record_id for s in worst_samples(outcome.samples, 2)] == ["r3", "r0"]


def test_regressions_are_samples_tuned_got_wrong_but_base_right(outcome):
    assert [s.record_id for s in regressions(outcome.samples)] == ["r3"]


def test_per_class_errors_list_confusions_most_errors_first(outcome):
    errors = per_class_errors(outcome.tuned.confusion)
    assert errors[0].label == "mechanical"
    assert errors[0].errors == 1 and errors[0].confused_with == {"leak": 1}
    assert {e.label: e.errors for e in errors} == {"mechanical": 1, "electrical": 0, "leak": 0}


def test_summarise_puts_changes_kpis_quality_and_errors_together(outcome):
    summary = summarise(outcome, {"accuracy": 0.7})
    assert summary.kpis_met
    assert {c.metric for c in summary.changes} == {"accuracy", "macro_f1", "general_perplexity"}
    assert 0 <= summary.quality.score <= 100
    assert [s.record_id for s in summary.regressions] == ["r3"]
