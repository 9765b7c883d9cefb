"""GET /presets through the app: any signed-in role reads it, no token is refused."""

import pytest

from tuneline.common.testing.helpers import bearer, running_app
from tuneline.training.app import create_app
from tuneline.training.settings import TrainingSettings

pytestmark = pytest.mark.integration


async def test_any_signed_in_role_reads_the_presets_and_ranges_and_no_token_is_refused(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(TrainingSettings, service_name="training_presets_tests")
    app = create_app(settings)
    async with running_app(app) as client:
        for role in ("viewer", "ml_engineer", "sre"):
            response = await client.get("/presets", headers=bearer(settings, role, team=None))
            assert response.status_code == 200, response.text
        body = response.json()
        assert body["default_preset"] == "balanced"
        assert [p["name"] for p in body["presets"]] == ["quick_start", "balanced", "quality_focused", "cost_optimized"]
        epochs = next(h for h in body["hyperparameters"] if h["name"] == "epochs")
        assert (epochs["minimum"], epochs["maximum"], epochs["auto"]) == (1, 10, None)
        lr = next(h for h in body["hyperparameters"] if h["name"] == "learning_rate")
        assert lr["auto"] and lr["type"] == "number"

        assert (await client.get("/presets")).status_code == 401
