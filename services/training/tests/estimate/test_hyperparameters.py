import pytest
from pydantic import ValidationError

from tuneline.training.estimate.hyperparameters import Hyperparameters, resolve
from tuneline.training.estimate.presets import PREFERRED_METHOD, Preset, preset_hyperparameters


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("epochs", 11, "epochs must be between 1 and 10, got 11"),
        ("batch_size", 0, "batch_size must be between 1 and 16, got 0"),
        ("learning_rate", 5e-3, "learning_rate must be between 1e-05 and 0.001, got 0.005"),
        ("weight_decay", 0.2, "weight_decay must be between 0 and 0.1, got 0.2"),
        ("lora_rank", 128, "lora_rank must be between 4 and 64, got 128"),
        ("warmup_steps", 5000, "warmup_steps must be between 0 and 1000, got 5000"),
        ("max_seq_len", 8192, "max_seq_len must be between 512 and 4096"),
    ],
)
def test_out_of_range_value_names_the_field_and_its_range(field: str, value: float, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        Hyperparameters.model_validate({field: value})
    (problem,) = error.value.errors()
    assert problem["loc"] == (field,)
    assert message in problem["msg"]


def test_short_sequences_are_allowed_only_for_small_models() -> None:
    with pytest.raises(ValidationError, match="max_seq_len must be between 512 and 4096"):
        Hyperparameters.model_validate({"max_seq_len": 256}, context={"model_params": 8_000_000_000})
    assert (
        Hyperparameters.model_validate({"max_seq_len": 256}, context={"model_params": 135_000_000}).max_seq_len == 256
    )


def test_unknown_fields_and_bad_module_names_are_refused() -> None:
    with pytest.raises(ValidationError, match="lr"):
        Hyperparameters.model_validate({"lr": 1e-4})
    with pytest.raises(ValidationError, match="target_modules has invalid module names"):
        Hyperparameters.model_validate({"target_modules": ["q_proj", "drop table"]})


def test_early_stopping_requires_evals() -> None:
    with pytest.raises(ValidationError, match="early_stopping_patience needs eval_interval > 0"):
        Hyperparameters.model_validate({"early_stopping_patience": 3, "eval_interval": 0})


def test_auto_values_resolve_by_model_size_and_step_count() -> None:
    hp = Hyperparameters(epochs=2, batch_size=8, grad_accumulation=2, lora_rank=16)
    small = resolve(hp, model_params=135_000_000, train_examples=1000)
    # ceil(1000/8) = 125 micro-batches -> 62 optimizer steps per epoch x 2
    assert small.total_steps == 124
    assert small.learning_rate == 5e-4 and small.lora_alpha == 32 and small.warmup_steps == 4
    assert resolve(hp, model_params=7_000_000_000, train_examples=1000).learning_rate == 2e-4
    explicit = resolve(Hyperparameters(learning_rate=1e-4, lora_alpha=8, warmup_steps=0), 135_000_000, 10)
    assert (explicit.learning_rate, explicit.lora_alpha, explicit.warmup_steps) == (1e-4, 8, 0)


def test_presets_are_valid_and_differ_as_documented() -> None:
    quick, balanced, quality, cost = (preset_hyperparameters(p) for p in Preset)
    assert quick.epochs == 1 and balanced.epochs == 3 and quality.epochs == 5 and cost.epochs == 2
    assert cost.batch_size == 16 and cost.batch_size > balanced.batch_size
    assert quality.lora_rank > balanced.lora_rank > quick.lora_rank
    assert PREFERRED_METHOD[Preset.COST_OPTIMIZED].value == "qlora"


def test_preset_overrides_are_validated_with_the_preset() -> None:
    assert preset_hyperparameters("balanced", {"epochs": 4}).epochs == 4
    with pytest.raises(ValidationError, match="epochs must be between 1 and 10"):
        preset_hyperparameters("balanced", {"epochs": 40})
    with pytest.raises(ValueError, match="unknown preset 'turbo'; choose one of quick_start"):
        preset_hyperparameters("turbo")
