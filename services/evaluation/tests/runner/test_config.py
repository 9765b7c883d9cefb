import pytest

from tuneline.evaluation.runner.config import EvalConfig, GenerationSettings


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"max_new_tokens": 0}, "max_new_tokens"), ({"batch_size": 0}, "batch_size"), ({"top_p": 0}, "top_p")],
)
def test_generation_settings_name_the_bad_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        GenerationSettings(**kwargs)


def test_eval_config_rejects_unknown_task_and_bad_limits():
    with pytest.raises(ValueError, match="task is 'ranking'"):
        EvalConfig(base_model="m", adapter_dir="a", task="ranking")
    with pytest.raises(ValueError, match="suite_limit"):
        EvalConfig(base_model="m", adapter_dir="a", task="generation", suite_limit=0)
