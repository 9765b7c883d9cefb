import pytest
from pydantic import ValidationError

from tuneline.registry.deployments.plan import TrafficPlan, VersionRef
from tuneline.registry.serving.spec import (
    AppSpec,
    Autoscaling,
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


def test_models_on_one_base_share_one_pool_and_the_gateway_routes_each() -> None:
    cfg = serve_config([app("maint"), app("tickets")], key_pepper="p" * 32)
    gateway, pool = cfg["applications"]
    assert (gateway["name"], gateway["route_prefix"]) == ("tuneline-gateway", "/")
    assert gateway["import_path"] == "tuneline.registry.serving.app:build_gateway"
    (router,) = gateway["deployments"]
    routes = router["user_config"]["models"]
    assert set(routes) == {"maint", "tickets"} and routes["maint"]["pool"] == pool["name"]
    assert [(a["arm"], a["weight"]) for a in routes["maint"]["router"]["arms"]] == [("stable", 0.75), ("canary", 0.25)]
    assert router["user_config"]["replicas"] == 2  # gateway replicas split key limits by their count
    assert pool["import_path"] == "tuneline.registry.serving.app:build_pool" and pool["route_prefix"] is None
    assert pool["args"]["base_model_path"] == "/models/base"
    (server,) = pool["deployments"]
    assert [w["version_id"] for w in server["user_config"]["warm"]] == ["id-1", "id-2"]  # shared versions once


def test_a_model_on_another_base_gets_its_own_pool() -> None:
    other = app("other").model_copy(update={"build": BuildArgs(model_name="other", base_model_path="/models/b2")})
    cfg = serve_config([app("maint"), other], key_pepper="p" * 32)
    pools = [a for a in cfg["applications"] if a["name"] != "tuneline-gateway"]
    assert sorted(p["args"]["base_model_path"] for p in pools) == ["/models/b2", "/models/base"]
    routes = cfg["applications"][0]["deployments"][0]["user_config"]["models"]
    assert routes["maint"]["pool"] != routes["other"]["pool"]


def test_pool_autoscaling_replaces_the_fixed_replica_count() -> None:
    scaled = app().model_copy(
        update={
            "server_options": DeploymentOptions(num_cpus=0.5, autoscaling=Autoscaling(min_replicas=1, max_replicas=4))
        }
    )
    (server,) = serve_config([scaled], key_pepper="p" * 32)["applications"][1]["deployments"]
    assert "num_replicas" not in server and server["autoscaling_config"]["max_replicas"] == 4
    assert server["ray_actor_options"] == {"num_cpus": 0.5}


def test_serve_config_validates_against_rays_schema() -> None:
    from ray.serve.schema import ServeDeploySchema

    schema = ServeDeploySchema.model_validate(serve_config([app("a"), app("b")], key_pepper="p" * 32))
    assert [a.name for a in schema.applications] == ["tuneline-gateway", schema.applications[1].name]


def test_deploying_another_model_or_changing_a_weight_leaves_every_code_version_unchanged() -> None:
    from ray.serve._private.deploy_utils import get_app_code_version
    from ray.serve.schema import ServeApplicationSchema

    before = serve_config([app()], key_pepper="p" * 32)["applications"]
    changed = app().model_copy(update={"router": RouterConfig(arms=PLAN.set_canary_weight(0.9).arms())})
    after = serve_config([changed, app("second")], key_pepper="p" * 32)["applications"]
    assert [a["name"] for a in before] == [a["name"] for a in after]
    assert before[0]["deployments"] != after[0]["deployments"]
    for old, new in zip(before, after, strict=True):
        versions = [get_app_code_version(ServeApplicationSchema.model_validate(a)) for a in (old, new)]
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
