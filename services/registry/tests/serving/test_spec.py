import pytest
from pydantic import ValidationError

from tuneline.registry.deployments.plan import TrafficPlan, VersionRef
from tuneline.registry.serving.spec import (
    AppSpec,
    BuildArgs,
    DeploymentOptions,
    Pricing,
    RouterConfig,
    ServerConfig,
    SinkSpec,
    serve_config,
)

PLAN = TrafficPlan.initial(VersionRef(1, "id-1", "/a/1")).start_canary(VersionRef(2, "id-2", "/a/2"), 0.25)


def app(name: str = "maint") -> AppSpec:
    return AppSpec(
        build=BuildArgs(model_name=name, base_model_path="/models/base"),
        router=RouterConfig(arms=PLAN.arms()),
        server=ServerConfig(warm=PLAN.warm()),
        router_options=DeploymentOptions(num_replicas=2),
    )


def test_serve_config_puts_traffic_in_user_config_and_model_in_args() -> None:
    cfg = serve_config([app()], key_pepper="p" * 32)
    (application,) = cfg["applications"]
    assert application["import_path"] == "tuneline.registry.serving.app:build_app"
    assert application["route_prefix"] == "/maint"
    assert application["args"]["base_model_path"] == "/models/base"
    router, server = application["deployments"]
    assert router["name"] == "Router" and server["name"] == "ModelServer"
    assert [(a["arm"], a["weight"]) for a in router["user_config"]["arms"]] == [("stable", 0.75), ("canary", 0.25)]
    assert router["user_config"]["replicas"] == 2  # routers split key limits by their count
    assert [w["version_id"] for w in server["user_config"]["warm"]] == ["id-1", "id-2"]


def test_serve_config_validates_against_rays_schema() -> None:
    from ray.serve.schema import ServeDeploySchema

    schema = ServeDeploySchema.model_validate(serve_config([app("a"), app("b")], key_pepper="p" * 32))
    assert [a.name for a in schema.applications] == ["a", "b"]


def test_a_weight_change_leaves_the_code_version_unchanged() -> None:
    from ray.serve._private.deploy_utils import get_app_code_version
    from ray.serve.schema import ServeApplicationSchema

    before = serve_config([app()], key_pepper="p" * 32)["applications"][0]
    changed = app().model_copy(update={"router": RouterConfig(arms=PLAN.set_canary_weight(0.9).arms())})
    after = serve_config([changed], key_pepper="p" * 32)["applications"][0]
    assert before["deployments"] != after["deployments"]
    versions = [get_app_code_version(ServeApplicationSchema.model_validate(a)) for a in (before, after)]
    assert versions[0] == versions[1]


def test_duplicate_application_names_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate model names"):
        serve_config([app(), app()], key_pepper="p" * 32)


@pytest.mark.parametrize("name", ["Maint", "-x", "a b", "", "x" * 64])
def test_model_names_must_be_url_safe(name: str) -> None:
    with pytest.raises(ValidationError, match="model name"):
        BuildArgs(model_name=name, base_model_path="/m")


def test_router_weights_must_sum_to_one() -> None:
    arms = [a.model_dump() for a in PLAN.arms()]
    arms[1]["weight"] = 0.5
    with pytest.raises(ValidationError, match="weights must sum to 1"):
        RouterConfig.model_validate({"arms": arms})


def test_more_warm_versions_than_slots_is_refused() -> None:
    with pytest.raises(ValidationError, match="max_loaded is 1"):
        ServerConfig(warm=PLAN.warm(), max_loaded=1)


def test_sinks_need_their_location() -> None:
    with pytest.raises(ValidationError, match=r"sink\.path"):
        SinkSpec(kind="jsonl")
    with pytest.raises(ValidationError, match=r"sink\.target"):
        SinkSpec(kind="import")


def test_cost_is_priced_per_thousand_tokens() -> None:
    assert Pricing(input_per_1k=0.5, output_per_1k=2.0).cost(200, 50) == pytest.approx(0.1 + 0.1)
