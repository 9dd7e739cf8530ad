"""The playbook as CI can check it without a host: Ansible's syntax check and ansible-lint's
production profile (Ansible and ansible-lint come from PyPI with the test dependencies)."""

import os
import subprocess
import sys
from pathlib import Path

from parcours import PROJECT_ROOT

ANSIBLE = PROJECT_ROOT / "ansible"
BIN = Path(sys.executable).parent  # the virtualenv's: ansible-playbook, ansible-lint


def run(*command: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}", "ANSIBLE_NOCOLOR": "1", "NO_COLOR": "1"}
    return subprocess.run(command, cwd=ANSIBLE, capture_output=True, text=True, env=env)


def test_the_playbook_passes_the_syntax_check():
    done = run(str(BIN / "ansible-playbook"), "--syntax-check", "site.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_playbook_passes_ansible_lint_production_profile():
    done = run(str(BIN / "ansible-lint"), "--offline", "--profile", "production", "site.yml", "roles", "tasks")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Profile 'production' was required, and it passed" in done.stdout + done.stderr
