"""The Dockerfile and compose.yaml cannot run here (no Docker engine): they are linted, validated
against the Compose specification, and held in step with the native install."""

import ipaddress
import json
import re
import shutil
import subprocess
import sys
import tomllib

import compose_spec
import pytest
import yaml

from cli import exposure
from parcours import PROJECT_ROOT
from parcours.settings import ROLE_NAMES, Settings

COMPOSE = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())  # YAML merge keys resolved, as Compose does


def test_the_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint", path=str(PROJECT_ROOT / ".venv" / "bin")) or "hadolint"
    done = subprocess.run([hadolint, "--failure-threshold", "info", str(PROJECT_ROOT / "Dockerfile")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_yaml_follows_the_compose_specification():
    compose_spec.PyCompose.from_json(json.dumps(COMPOSE)).validate()
    assert set(COMPOSE["services"]) == {"proxy", "db", "migrate", "web", "worker"}


def test_the_image_holds_every_package_the_project_installs():
    packages = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    copied = set(re.findall(r"^COPY (\w+) \./\1$", (PROJECT_ROOT / "Dockerfile").read_text(), re.MULTILINE))
    assert {name.rstrip("*") for name in packages["include"]} <= copied


@pytest.mark.parametrize("source", ["compose.yaml", "docker/env.example"])
def test_every_parcours_variable_is_a_real_setting(source):
    named = set(re.findall(r"\bPARCOURS_([A-Z_]+?)(?=[=:}\s])", (PROJECT_ROOT / source).read_text()))
    passwords = {f"{role.upper()}_DB_PASSWORD" for role in ROLE_NAMES}  # for docker/initdb, not Parcours
    fields = {name.upper() for name in Settings.model_fields}
    assert named - passwords - fields == set()


def test_the_init_script_creates_the_roles_migrations_grant_to():
    script = (PROJECT_ROOT / "docker" / "initdb" / "10-roles.sh").read_text()
    assert set(re.findall(r"CREATE ROLE (\w+) LOGIN", script)) == set(ROLE_NAMES.values())


def test_the_commands_compose_runs_exist():
    commands = {tuple(service["command"]) for service in COMPOSE["services"].values() if "command" in service}
    commands.add(tuple(COMPOSE["services"]["worker"]["healthcheck"]["test"][1:]))
    for command in commands:
        assert command[0] == "parcours"
        done = subprocess.run([sys.executable, "-m", "cli", *command[1:], "--help"], capture_output=True, text=True)
        assert done.returncode == 0, (command, done.stderr)


def _as_started(environment: dict) -> dict:
    """A service's environment as Compose hands it over with docker/env.example as the .env."""
    example = dict(line.split("=", 1) for line in (PROJECT_ROOT / "docker" / "env.example").read_text().splitlines()
                   if line and not line.startswith("#"))
    def value(match):
        return example.get(match.group(1), match.group(2) or "")
    return {k: re.sub(r"\$\{(\w+)(?::-([^}]*)|:\?[^}]*)?\}", value, str(v)) for k, v in environment.items()}


@pytest.mark.parametrize("service", ["web", "worker"])
def test_the_shipped_settings_are_secure_out_of_the_box(monkeypatch, service):
    for name, value in _as_started(COMPOSE["services"][service]["environment"]).items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)
    assert exposure.warnings(settings) == []
    assert settings.public_url.startswith("https://") and settings.cookie_secure == "auto"  # so cookies are Secure
    assert settings.signup_open is False


def test_web_trusts_the_shipped_proxy_alone_and_only_the_proxy_is_published():
    services = COMPOSE["services"]
    proxy_address = services["proxy"]["networks"]["edge"]["ipv4_address"]
    trusted = json.loads(services["web"]["environment"]["PARCOURS_TRUSTED_PROXIES"])
    assert trusted == [f"{proxy_address}/32"]
    subnet = COMPOSE["networks"]["edge"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(proxy_address) in ipaddress.ip_network(subnet)
    assert [name for name, service in services.items() if "ports" in service] == ["proxy"]
    port = services["web"]["command"][services["web"]["command"].index("--port") + 1]
    assert f"reverse_proxy web:{port}" in (PROJECT_ROOT / "docker" / "Caddyfile").read_text()
