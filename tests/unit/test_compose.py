"""docker-compose.yml names only what exists: services, volumes, mounted files, modules, images.

No Docker is needed: the file is parsed with PyYAML and checked against the repository. Where
the `docker compose` plugin is installed, its own validator runs too.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
AIRFLOW = {"airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"}
AIRFLOW_SUBCOMMANDS = {"airflow-apiserver": "api-server", "airflow-scheduler": "scheduler",
                       "airflow-dag-processor": "dag-processor", "airflow-triggerer": "triggerer"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _command(service: dict) -> str:
    cmd = service.get("command", "")
    return " ".join(cmd) if isinstance(cmd, list) else str(cmd)


def test_required_services_and_profiles(compose: dict) -> None:
    services = compose["services"]
    assert {"postgres", *AIRFLOW} <= set(services)
    assert all("profiles" not in services[s] for s in {"postgres", *AIRFLOW})
    profiles = {p: name for name, s in services.items() for p in s.get("profiles", [])}
    assert set(profiles) == {"platform", "bi"}
    assert services[profiles["platform"]]["command"][:3] == ["python", "-m", "rig.platform_server"]
    assert profiles["bi"] in {"superset", "metabase"}
    for name, sub in AIRFLOW_SUBCOMMANDS.items():
        assert services[name]["command"] == ["airflow", sub], name
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
    init = _command(services["airflow-init"])
    assert "airflow db migrate" in init and "python -m ingest.migrate" in init


def test_volumes_are_declared_and_mounted_paths_exist(compose: dict) -> None:
    declared = set(compose.get("volumes") or {})
    used = set()
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume["source"]
            if source.startswith((".", "/")):
                assert (ROOT / source).resolve().exists(), f"{name} mounts missing {source}"
                assert (ROOT / source).resolve().is_relative_to(ROOT), f"{name} mounts {source} outside the repo"
            else:
                used.add(source)
    assert used <= declared, f"undeclared volumes {used - declared}"
    assert declared <= used, f"declared but unused volumes {declared - used}"


def test_modules_build_and_dependencies_exist(compose: dict) -> None:
    services = compose["services"]
    for name, service in services.items():
        build = service.get("build")
        if build is not None:
            context = build if isinstance(build, str) else build.get("context", ".")
            dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
            assert (ROOT / context / dockerfile).is_file(), name
        for module in re.findall(r"python -m ([\w.]+)", _command(service)):
            assert importlib.util.find_spec(module) is not None, f"{name} runs missing module {module}"
            assert (ROOT / Path(*module.split("."))).with_suffix(".py").exists() or \
                (ROOT / Path(*module.split("."))).is_dir(), f"{name}: {module} is not project code"
        for dep in service.get("depends_on", {}):
            assert dep in services, f"{name} depends on missing {dep}"
            if "profiles" not in service:   # a default service may not wait for an optional one
                assert "profiles" not in services[dep], f"{name} depends on optional {dep}"
        image = service.get("image", "")
        if image.startswith("minzheng-sentinel"):
            assert any(s.get("build") is not None and s.get("image") == image for s in services.values()), \
                f"{name} uses {image}, which no service builds"
        else:
            assert re.fullmatch(r"[\w./-]+:[\w.-]+", image) and not image.endswith(":latest"), \
                f"{name}: pin third-party image {image!r}"


def test_bi_tool_connects_as_the_bi_reader_only(compose: dict) -> None:
    services = compose["services"]
    bi = next(s for s in services.values() if "bi" in s.get("profiles", []))
    env = bi["environment"]
    uri = next(v for v in env.values() if str(v).startswith("postgresql://"))
    assert "minzheng:" not in uri and "BI_DB_LOGIN" in uri   # never the warehouse owner
    init = _command(services["airflow-init"])
    assert "add-bi-login ${BI_DB_LOGIN" in init
    assert "BI_DB_PASSWORD" in services["airflow-init"]["environment"]
    deploy_init = ROOT / "deploy" / "postgres-init.sh"
    assert deploy_init.is_file()


def test_project_image_has_what_compose_runs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY . ." in dockerfile and "requirements/requirements.lock" in dockerfile
    assert (ROOT / "requirements" / "requirements.lock").is_file()
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", ".local"} <= set(ignored)


@pytest.mark.skipif(shutil.which("docker") is None, reason="docker not installed")
def test_docker_compose_config_validates() -> None:
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("the docker compose plugin is not installed")
    result = subprocess.run(["docker", "compose", "-f", str(COMPOSE), "--profile", "platform", "--profile", "bi",
                             "config", "-q"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
