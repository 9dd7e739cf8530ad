import os
import tempfile
from pathlib import Path

import pytest

from parcours.settings import Settings


@pytest.mark.parametrize("mode, inside_var", [(0o755, True), (0o700, False)])
def test_the_local_cluster_lives_where_its_owner_can_reach_it(mode, inside_var):
    # Not pytest's tmp_path: its directories are private to their owner.
    checkout = Path(tempfile.mkdtemp(dir="/tmp"))
    checkout.chmod(mode)
    settings = Settings(_env_file=None, var_dir=checkout / "var")
    as_root = os.geteuid() == 0
    expected_inside = inside_var or not as_root
    assert (settings.cluster_dir == checkout.resolve() / "var" / "pg") == expected_inside
    assert settings.socket_dir.parent == settings.cluster_dir.parent


@pytest.mark.parametrize("name, value, message", [
    ("DATABASE_URL", "postgresql://[::1", "not a PostgreSQL connection URL"),
    ("PARCOURS_ROLLUP_ENGINE", "magic", "rollup_engine"),
])
def test_bad_settings_fail_loudly(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        Settings(_env_file=None)


def test_each_role_gets_its_own_login():
    settings = Settings(_env_file=None, database_url="postgresql://owner:pw@db.example:5432/parcours")
    assert "user=parcours_collect" in settings.role_conninfo("collect")
    assert "password=pw" not in settings.role_conninfo("web")
    assert "host=db.example" in settings.role_conninfo("worker")
