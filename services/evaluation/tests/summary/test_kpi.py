from tuneline.evaluation.summary.kpi import check_kpis


def test_targets_are_met_in_the_metrics_direction():
    results = {
        r.metric: r
        for r in check_kpis(
            {"accuracy": 0.9, "latency_ms_p95": 500.0, "macro_f1": 0.8},
            {"accuracy": 0.92, "latency_ms_p95": 650.0, "macro_f1": 0.8},
        )
    }
    assert results["accuracy"].met
    assert not results["latency_ms_p95"].met
    assert "target at most 500: missed" in results["latency_ms_p95"].reason
    assert results["macro_f1"].met  # equal to target counts


def test_unmeasured_kpi_is_missed_with_reason():
    (result,) = check_kpis({"csat": 4.5}, {"accuracy": 1.0})
    assert not result.met and result.value is None
    assert result.reason == "csat was not measured by this evaluation"
