from tuneline.registry.deployments.plan import TrafficPlan, VersionRef
from tuneline.registry.deployments.serve_controller import _readable, _reservations
from tuneline.registry.serving.spec import (
    AppSpec,
    Autoscaling,
    BuildArgs,
    DeploymentOptions,
    RouterConfig,
    ServerConfig,
    serve_config,
)

PLAN = TrafficPlan.initial(VersionRef(1, "id-1", "/a/1"))


def app(name: str, base: str, pool: DeploymentOptions) -> AppSpec:
    return AppSpec(
        build=BuildArgs(model_name=name, base_model_path=base),
        router=RouterConfig(arms=PLAN.arms()),
        server=ServerConfig(warm=PLAN.warm()),
        router_options=DeploymentOptions(num_cpus=0.25),
        server_options=pool,
    )


def test_reservations_count_one_gateway_and_one_pool_per_base_model_not_per_model() -> None:
    pool = DeploymentOptions(num_cpus=1.0, num_replicas=2)
    apps = [app(f"m{i}", "/models/base", pool) for i in range(8)] + [app("other", "/models/b2", pool)]
    held = _reservations(serve_config(apps, "p" * 32)["applications"])
    assert len(held) == 3
    assert sum(per["CPU"] * n for per, n, _ in held.values()) == 0.25 + 2 * 2 * 1.0


def test_autoscaled_pools_reserve_their_minimum() -> None:
    pool = DeploymentOptions(num_cpus=0.5, num_gpus=1, autoscaling=Autoscaling(min_replicas=0, max_replicas=4))
    held = _reservations(serve_config([app("m", "/models/base", pool)], "p" * 32)["applications"])
    (per, replicas, deployment) = next(v for k, v in held.items() if k.startswith("pool-"))
    assert (per, replicas, deployment) == ({"CPU": 0.5, "GPU": 1.0}, 1, "ModelServer")


def test_a_scheduling_wait_reads_as_what_is_needed_and_the_fix_not_a_repr() -> None:
    raw = (
        "Deployment 'ModelServer' in application 'pool-x' has 1 replicas that have taken more than 30s to be "
        'scheduled. Resources required for each replica: {"CPU": 1.0}, total resources available: {}.'
    )
    text = _readable(raw)
    assert "1 CPU per replica" in text and "TUNELINE_SERVE_POOL_NUM_CPUS" in text and "{" not in text


def test_a_traceback_is_cut_to_its_last_line() -> None:
    raw = "Traceback (most recent call last):\n  File x\n    line\nValueError: base model path '/m' has no config"
    assert _readable(raw) == "ValueError: base model path '/m' has no config"


def test_pool_replicas_carry_their_custom_resources_and_the_capacity_check_counts_them() -> None:
    pool = DeploymentOptions(num_cpus=1.0, resources={"tuneline_worker": 1.0})
    applications = serve_config([app("m", "s3://b/models/base", pool)], "p" * 32)["applications"]
    (server,) = [d for a in applications if a["name"].startswith("pool-") for d in a["deployments"]]
    assert server["ray_actor_options"] == {"num_cpus": 1.0, "resources": {"tuneline_worker": 1.0}}
    held = _reservations(applications)
    (per, _, _) = next(v for k, v in held.items() if k.startswith("pool-"))
    assert per == {"CPU": 1.0, "GPU": 0.0, "tuneline_worker": 1.0}
    gateway = next(v for k, v in held.items() if not k.startswith("pool-"))
    assert "tuneline_worker" not in gateway[0]  # the gateway may run anywhere
