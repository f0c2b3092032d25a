"""The deployment files in ``deploy/``, validated offline with the tools that own their formats.

* ``deploy/dagster.yaml``: Dagster's instance schema, then each configurable class it names
  (run coordinator, compute log manager) against that class's own config schema.
* ``deploy/workspace.yaml``: Dagster's workspace schema.
* ``deploy/helm/values.yaml`` (values of the official Dagster chart): rendered into instance
  config the way the chart's templates do (``_run-launcher.tpl``, ``_concurrency.tpl``,
  ``_postgresql.tpl``, and the user deployments' ``k8sContainerContext``), validated against the
  config schemas of ``dagster_k8s.K8sRunLauncher`` and Dagster's instance; then the Kubernetes Job
  that the run launcher would create for a run is built with dagster-k8s's own code and
  validated against the Kubernetes API schema (kubernetes-validate, strict: unknown fields are
  errors), as is the code server's container. Limits must agree between dagster.yaml and the
  Helm values, and DuckDB's memory limit must fit in the run pod.

No cluster, no helm binary, no network: what a reviewer can check on this machine.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
K8S_VERSION = "1.33.0"
NAMESPACE = "sp-pipeline"
FAKE_ENV = {
    "DAGSTER_PG_HOST": "db.example.org",
    "DAGSTER_PG_PORT": "5432",
    "DAGSTER_PG_DB": "dagster",
    "DAGSTER_PG_USERNAME": "dagster",
    "DAGSTER_PG_PASSWORD": "secret",
    "DAGSTER_COMPUTE_LOG_DIR": "/tmp/logs",
    "DAGSTER_HOME": "/opt/dagster/dagster_home",
    "DAGSTER_K8S_INSTANCE_CONFIG_MAP": "sp-pipeline-instance",
    "DAGSTER_K8S_PG_PASSWORD_SECRET": "sp-pipeline-postgresql-secret",
    "DAGSTER_K8S_PIPELINE_RUN_ENV_CONFIGMAP": "sp-pipeline-pipeline-env",
}


@pytest.fixture
def deploy_env(monkeypatch):
    for key, value in FAKE_ENV.items():
        monkeypatch.setenv(key, value)


def _values() -> dict:
    return yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text())


def _process(schema, config: dict, where: str) -> dict:
    """Validate ``config`` against a Dagster config schema; the value with defaults filled in."""
    from dagster._config import process_config, resolve_to_config_type

    result = process_config(resolve_to_config_type(schema), config)
    assert result.success, f"{where}: " + "; ".join(e.message for e in result.errors)
    return result.value


def _class_config(section: dict, where: str) -> dict:
    klass = getattr(importlib.import_module(section["module"]), section["class"])
    return _process(klass.config_type(), section.get("config") or {}, f"{where} ({section['class']})")


# -- deploy/dagster.yaml -----------------------------------------------------------------------


def test_instance_yaml_is_valid_dagster_config(deploy_env):
    from dagster._core.instance.config import dagster_instance_config

    config, _ = dagster_instance_config(str(DEPLOY), "dagster.yaml")
    assert set(config["storage"]) == {"postgres"}
    assert config["storage"]["postgres"]["postgres_db"]["scheme"] == "postgresql+psycopg2"
    for section in ("run_coordinator", "compute_logs"):
        _class_config(config[section], f"dagster.yaml {section}")


def test_instance_yaml_check_rejects_a_bad_file(deploy_env, tmp_path):
    """The check above fails on the mistakes it is there for: limits in two places (the state
    of deploy/dagster.yaml before this test) and a misspelt field."""
    from dagster._core.errors import DagsterInvalidConfigError
    from dagster._core.instance.config import dagster_instance_config

    good = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    both = dict(good, run_coordinator={**good["run_coordinator"], "config": {"max_concurrent_runs": 6}})
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(both))
    with pytest.raises(DagsterInvalidConfigError):
        dagster_instance_config(str(tmp_path), "dagster.yaml")
    misspelt = dict(good, concurrency={"runs": {"max_concurent_runs": 6}})
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(misspelt))
    with pytest.raises(DagsterInvalidConfigError):
        dagster_instance_config(str(tmp_path), "dagster.yaml")


def test_workspace_yaml_is_valid():
    from dagster._core.workspace.config_schema import ensure_workspace_config

    workspace = yaml.safe_load((DEPLOY / "workspace.yaml").read_text())
    ensure_workspace_config(workspace, str(DEPLOY / "workspace.yaml"))
    (entry,) = workspace["load_from"]
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    port = re.search(r'"-p", "(\d+)"', dockerfile).group(1)
    assert str(entry["grpc_server"]["port"]) == port  # the code server listens where the workspace looks
    assert entry["grpc_server"]["location_name"] == "social_protection_coverage"


# -- deploy/helm/values.yaml -------------------------------------------------------------------


def render_instance_sections(values: dict) -> dict:
    """The instance config sections the chart renders from ``values`` (run launcher, run
    coordinator, concurrency, postgres), for the keys this project sets."""
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    run_k8s = launcher.get("runK8sConfig", {})
    snake = {
        "containerConfig": "container_config",
        "podSpecConfig": "pod_spec_config",
        "podTemplateSpecMetadata": "pod_template_spec_metadata",
        "jobSpecConfig": "job_spec_config",
        "jobMetadata": "job_metadata",
    }
    unknown = set(run_k8s) - set(snake)
    assert not unknown, f"runK8sConfig keys the chart does not render: {unknown}"
    run_launcher = {
        "load_incluster_config": launcher.get("loadInclusterConfig", True),
        "job_namespace": launcher.get("jobNamespace", NAMESPACE),
        "image_pull_policy": launcher.get("imagePullPolicy", "Always"),
        "service_account_name": f"{NAMESPACE}-dagster",
        "dagster_home": {"env": "DAGSTER_HOME"},
        "instance_config_map": {"env": "DAGSTER_K8S_INSTANCE_CONFIG_MAP"},
        "postgres_password_secret": {"env": "DAGSTER_K8S_PG_PASSWORD_SECRET"},
        "env_config_maps": [{"env": "DAGSTER_K8S_PIPELINE_RUN_ENV_CONFIGMAP"}]
        + [c["name"] for c in launcher.get("envConfigMaps", [])],
        **({"volume_mounts": launcher["volumeMounts"]} if launcher.get("volumeMounts") else {}),
        **({"volumes": launcher["volumes"]} if launcher.get("volumes") else {}),
        **({"run_k8s_config": {snake[k]: v for k, v in run_k8s.items()}} if run_k8s else {}),
    }
    unknown = set(launcher) - {
        "loadInclusterConfig",
        "jobNamespace",
        "imagePullPolicy",
        "envConfigMaps",
        "volumeMounts",
        "volumes",
        "runK8sConfig",
    }
    assert not unknown, f"k8sRunLauncher keys this rendering does not cover: {unknown}"
    daemon = values["dagsterDaemon"]["runCoordinator"]
    assert daemon["enabled"] and daemon["type"] == "QueuedRunCoordinator"
    assert not daemon.get("config", {}).get("queuedRunCoordinator"), (
        "limits belong in concurrency.runs (the chart refuses both)"
    )
    concurrency = values["concurrency"]
    pg = values["postgresql"]
    return {
        "run_launcher": {"module": "dagster_k8s", "class": "K8sRunLauncher", "config": run_launcher},
        "run_coordinator": {"module": "dagster._core.run_coordinator", "class": "QueuedRunCoordinator"},
        "concurrency": {
            "pools": {"default_limit": concurrency["pools"]["defaultLimit"]},
            "runs": {
                "max_concurrent_runs": concurrency["runs"]["maxConcurrentRuns"],
                "tag_concurrency_limits": concurrency["runs"]["tagConcurrencyLimits"],
            },
        },
        "storage": {
            "postgres": {
                "postgres_db": {
                    "username": pg["postgresqlUsername"],
                    "password": {"env": "DAGSTER_PG_PASSWORD"},
                    "hostname": pg["postgresqlHost"],
                    "db_name": pg["postgresqlDatabase"],
                    "port": pg.get("service", {}).get("port", 5432),
                    "scheme": pg["postgresqlScheme"],
                }
            }
        },
    }


def user_deployment_container_context(deployment: dict) -> dict:
    """What the dagster-user-deployments chart hands to every run of the code location
    (``k8sContainerContext`` in its helpers): image pull policy, env, volumes, resources."""
    k8s = {
        "image_pull_policy": deployment["image"]["pullPolicy"],
        "env_config_maps": [f"{NAMESPACE}-{deployment['name']}-user-env"],
        "namespace": NAMESPACE,
        "service_account_name": f"{NAMESPACE}-user-deployments",
        "run_k8s_config": {"pod_spec_config": {"automount_service_account_token": True}},
    }
    for key, name in (
        ("volumeMounts", "volume_mounts"),
        ("volumes", "volumes"),
        ("resources", "resources"),
        ("env", "env"),
    ):
        if deployment.get(key):
            k8s[name] = deployment[key]
    return {"k8s": k8s}


KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: offline, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: offline, user: {token: none}}]
contexts: [{name: offline, context: {cluster: offline, user: offline}}]
current-context: offline
"""


def _run_job_manifest(values: dict, tmp_path: Path) -> dict:
    """The Kubernetes Job the K8sRunLauncher creates for one survey run, built by dagster-k8s:
    the launcher is made from the rendered config (with a kubeconfig that points nowhere: it
    never connects), the run's container context merged as the launcher merges it."""
    import kubernetes
    from dagster_k8s.container_context import K8sContainerContext
    from dagster_k8s.job import construct_dagster_k8s_job
    from dagster_k8s.launcher import K8sRunLauncher

    config = _process(
        K8sRunLauncher.config_type(),
        render_instance_sections(values)["run_launcher"]["config"],
        "runLauncher.config.k8sRunLauncher",
    )
    (tmp_path / "kubeconfig").write_text(KUBECONFIG)
    launcher = K8sRunLauncher(
        **{**config, "load_incluster_config": False, "kubeconfig_file": str(tmp_path / "kubeconfig")}
    )
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    origin = SimpleNamespace(
        repository_origin=SimpleNamespace(container_context=user_deployment_container_context(deployment))
    )
    run = SimpleNamespace(job_code_origin=origin, tags={"sp/workload": "survey", "dagster/partition": "GHA_LFS_2015"})
    context = K8sContainerContext.create_for_run(run, launcher, include_run_tags=True)
    image = f"{deployment['image']['repository']}:{deployment['image']['tag']}"
    job = construct_dagster_k8s_job(
        job_config=context.get_k8s_job_config(job_image=image, run_launcher=launcher),
        args=["dagster", "api", "execute_run", "{}"],
        job_name="dagster-run-0123456789abcdef",
        pod_name="dagster-run-0123456789abcdef",
        component="run_worker",
        user_defined_k8s_config=context.run_k8s_config,
        labels={"dagster/job": "survey_job"},
        env_vars=[{"name": "DAGSTER_RUN_JOB_NAME", "value": "survey_job"}],
    )
    return kubernetes.client.ApiClient().sanitize_for_serialization(job)


def _validate_k8s(manifest: dict) -> None:
    import kubernetes_validate

    kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)


def _memory_bytes(quantity: str) -> int:
    units = {
        "Ki": 2**10,
        "Mi": 2**20,
        "Gi": 2**30,
        "Ti": 2**40,
        "KB": 1000,
        "MB": 10**6,
        "GB": 10**9,
        "TB": 10**12,
        "K": 1000,
        "M": 10**6,
        "G": 10**9,
    }
    number, unit = re.fullmatch(r"([\d.]+)\s*([A-Za-z]*)", str(quantity)).groups()
    return int(float(number) * units.get(unit, 1))


def test_helm_values_render_valid_instance_config(deploy_env):
    sections = render_instance_sections(_values())
    _class_config(sections["run_launcher"], "runLauncher")
    _class_config(sections["run_coordinator"], "runCoordinator")
    from dagster._core.instance.config import dagster_instance_config_schema

    schema = dagster_instance_config_schema()
    for key in ("concurrency", "storage"):
        _process({key: schema[key]}, {key: sections[key]}, f"helm {key}")


def test_helm_limits_match_the_instance_yaml():
    """One deployment, one set of limits: the Helm values and deploy/dagster.yaml agree."""
    rendered = render_instance_sections(_values())["concurrency"]
    instance = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())["concurrency"]
    assert rendered["runs"] == instance["runs"]
    assert rendered["pools"] == instance["pools"]


def test_run_pod_manifest_is_valid_kubernetes(deploy_env, tmp_path):
    values = _values()
    job = _run_job_manifest(values, tmp_path)
    _validate_k8s(job)
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    # each volume once (the chart hands the code location's volumes to runs and the launcher adds its own)
    names = [v["name"] for v in pod.get("volumes", [])]
    assert names and len(names) == len(set(names)), names
    mounts = [m["mountPath"] for m in container.get("volumeMounts", [])]
    assert "/data" in mounts and len(mounts) == len(set(mounts)), mounts
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    assert env["SP_OUTPUT_DIR"].startswith("/data") and env["SP_INPUT_DIR"].startswith("/data")
    limits = container["resources"]["limits"]
    assert (
        _memory_bytes(env["SP_DUCKDB_MEMORY_LIMIT"]) <= _memory_bytes(limits["memory"]) // 2
    )  # DuckDB gets half the pod
    assert int(env["SP_DUCKDB_THREADS"]) <= float(limits["cpu"])


def test_kubernetes_validation_catches_a_bad_manifest(deploy_env, tmp_path):
    """The strict schema check rejects what a cluster would: a misspelt field, a bad type."""
    import kubernetes_validate

    job = _run_job_manifest(_values(), tmp_path)
    container = job["spec"]["template"]["spec"]["containers"][0]
    for mutate in (
        lambda c: c.update(resource=c.pop("resources")),
        lambda c: c["resources"]["limits"].update(memory=["8Gi"]),
    ):
        bad = yaml.safe_load(yaml.safe_dump(job))
        mutate(bad["spec"]["template"]["spec"]["containers"][0])
        with pytest.raises(kubernetes_validate.ValidationError):
            _validate_k8s(bad)
    assert container["image"].endswith(":" + _values()["dagster-user-deployments"]["deployments"][0]["image"]["tag"])


def test_code_server_container_is_valid_kubernetes():
    (deployment,) = _values()["dagster-user-deployments"]["deployments"]
    container = {
        "name": deployment["name"],
        "image": f"{deployment['image']['repository']}:{deployment['image']['tag']}",
        "imagePullPolicy": deployment["image"]["pullPolicy"],
        "args": [
            "dagster",
            "api",
            "grpc",
            "-h",
            "0.0.0.0",
            "-p",
            str(deployment["port"]),
            *deployment["dagsterApiGrpcArgs"],
        ],
        "env": deployment.get("env", []),
        "volumeMounts": deployment.get("volumeMounts", []),
        "ports": [{"name": "grpc", "containerPort": deployment["port"]}],
    }
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": deployment["name"], "namespace": NAMESPACE},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": deployment["name"]}},
            "template": {
                "metadata": {"labels": {"app": deployment["name"]}},
                "spec": {"containers": [container], "volumes": deployment.get("volumes", [])},
            },
        },
    }
    _validate_k8s(manifest)
