"""The Dockerfile and compose.yaml cannot run here (no Docker engine): they are linted, validated
against the Compose specification, and held in step with the native install."""

import json
import re
import shutil
import subprocess
import sys
import tomllib

import compose_spec
import pytest
import yaml

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
    assert set(COMPOSE["services"]) == {"db", "migrate", "web", "worker"}


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
        done = subprocess.run([sys.executable, "-m", "parcours", *command[1:], "--help"], capture_output=True, text=True)
        assert done.returncode == 0, (command, done.stderr)
