"""The playbook converges on a throwaway Debian host, and a second run changes nothing.

The host is a debootstrap root of the machine's own Debian release (cached under
/var/cache/parcours, copied for each run), with the machine's package sources, driven
through Ansible's chroot connection. What a chroot cannot have is swapped at the edges only:
TimescaleDB comes from a .deb made of this machine's own Apache-2 build instead of Timescale's
repository; services are installed and enabled but not started (no systemd), except PostgreSQL,
which the role starts with pg_ctlcluster; the firewall is left alone (it would be the machine's);
TLS uses a self-signed certificate. Then the host is checked from inside: the database migrated,
`parcours-admin doctor --strict` healthy, nginx's configuration valid, the units enabled.
"""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from parcours import PROJECT_ROOT

# The host is the machine's own Debian release, with the machine's package sources: the
# PostgreSQL the machine has is then the one the host can install.
RELEASE = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines()
               if "=" in line)["VERSION_CODENAME"].strip('"')
CACHE = Path(os.environ.get("PARCOURS_BUILD_CACHE", "/var/cache/parcours")) / f"converge-{RELEASE}"
MIRROR = "http://deb.debian.org/debian"
POSTGRES = max(int(p.parent.parent.name) for p in Path("/usr/share/postgresql").glob("*/extension/timescaledb.control"))
PORT = 54399  # the chroot shares the machine's network: not a port a real server would use
BIN = Path(sys.executable).parent
VERSION = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["version"]


def run(command: list[str], **options) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, **options)
    assert done.returncode == 0, f"{command}: {done.stdout[-3000:]}{done.stderr[-3000:]}"
    return done


def pristine_root() -> Path:
    """A minimal Debian 12 with Python (what Ansible needs), made once and kept."""
    if not (CACHE / "usr/lib/python3/dist-packages/apt").exists():
        partial = CACHE.with_name(CACHE.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.rmtree(CACHE, ignore_errors=True)
        run(["debootstrap", "--variant=minbase", "--include=python3,python3-apt,ca-certificates",
             RELEASE, str(partial), MIRROR])
        partial.rename(CACHE)
    return CACHE


@pytest.fixture
def host(tmp_path):
    if os.geteuid() != 0:
        pytest.fail("the converge test builds a chroot: run it as root (CI does)")
    root = tmp_path / "host"
    run(["cp", "-a", str(pristine_root()), str(root)])
    (root / "usr/sbin/policy-rc.d").write_text("#!/bin/sh\nexit 101\n")  # packages start no services
    (root / "usr/sbin/policy-rc.d").chmod(0o755)
    shutil.copy("/etc/resolv.conf", root / "etc/resolv.conf")
    # The machine's CA bundle and package sources, so that the host reaches the same registries.
    shutil.copy("/etc/ssl/certs/ca-certificates.crt", root / "etc/ssl/certs/ca-certificates.crt")
    for sources in ("etc/apt/sources.list", "etc/apt/sources.list.d", "etc/apt/keyrings", "etc/apt/trusted.gpg.d",
                    "usr/share/keyrings"):
        if (Path("/") / sources).is_dir():
            shutil.copytree(Path("/") / sources, root / sources, dirs_exist_ok=True)
        elif (Path("/") / sources).exists():
            shutil.copy(Path("/") / sources, root / sources)
    mounted = []
    try:
        for source, target, options in (("proc", "proc", ["-t", "proc"]), ("sysfs", "sys", ["-t", "sysfs"]),
                                        ("/dev", "dev", ["--rbind"])):
            run(["mount", *options, source, str(root / target)])
            mounted.append(root / target)
        yield root
    finally:
        subprocess.run(["chroot", str(root), "pg_ctlcluster", str(POSTGRES), "main", "stop"], capture_output=True)
        for path in reversed(mounted):
            subprocess.run(["umount", "-R", "-l", str(path)], capture_output=True)


def timescaledb_deb(directory: Path) -> Path:
    """A package of this machine's TimescaleDB (Debian's Apache-2 build) for its PostgreSQL."""
    extension, lib = Path(f"/usr/share/postgresql/{POSTGRES}/extension"), Path(f"/usr/lib/postgresql/{POSTGRES}/lib")
    version = (extension / "timescaledb.control").read_text().split("default_version = '")[1].split("'")[0]
    stage = directory / "timescaledb-deb"
    files = [extension / "timescaledb.control", extension / f"timescaledb--{version}.sql",
             lib / f"timescaledb-{version}.so", lib / "timescaledb.so"]
    for path in files:
        (stage / path.relative_to("/")).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, stage / path.relative_to("/"))
    (stage / "DEBIAN").mkdir()
    (stage / "DEBIAN/control").write_text(
        f"Package: postgresql-{POSTGRES}-timescaledb-local\nVersion: {version}\nArchitecture: amd64\n"
        f"Depends: postgresql-{POSTGRES}\nMaintainer: Parcours tests <tests@parcours.invalid>\n"
        "Description: TimescaleDB (Apache-2) for the playbook's converge test\n")
    run(["dpkg-deb", "--root-owner-group", "--build", str(stage), str(directory / "timescaledb-local.deb")])
    return directory / "timescaledb-local.deb"


def inventory(root: Path, tmp_path: Path) -> Path:
    secrets = {"secret_key": "k" * 48, "db_collect_password": "collect-password-16",
               "db_worker_password": "worker-password-16", "db_web_password": "web-password-1234",
               "db_analyst_password": "analyst-password-16"}
    (tmp_path / "secrets.yml").write_text(yaml.safe_dump(secrets))
    (root / "etc/ssl/parcours").mkdir(parents=True)
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=converge.test",
         "-keyout", str(root / "etc/ssl/parcours/key.pem"), "-out", str(root / "etc/ssl/parcours/cert.pem")])
    run([str(BIN / "pip"), "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"), str(PROJECT_ROOT)])
    converge = {
        "ansible_connection": "community.general.chroot", "ansible_host": str(root),
        "ansible_python_interpreter": "/usr/bin/python3", "ansible_become_method": "su",
        "parcours_domain": "converge.test", "parcours_version": VERSION, "parcours_wheel_directory": str(tmp_path / "dist"),
        "parcours_secrets_from": "file", "parcours_secrets_file": str(tmp_path / "secrets.yml"),
        "parcours_manage_services": False, "firewall_enabled": False, "parcours_database_port": PORT,
        "timescaledb_postgresql_version": POSTGRES,
        "timescaledb_source": "package", "timescaledb_package": str(timescaledb_deb(tmp_path)),
        "nginx_tls": "given", "nginx_tls_certificate": "/etc/ssl/parcours/cert.pem",
        "nginx_tls_key": "/etc/ssl/parcours/key.pem",
    }
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"children": {"parcours": {"hosts": {"converge": converge}}}}}))
    return path


def playbook(inventory_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "ANSIBLE_NOCOLOR": "1",
           "ANSIBLE_HOST_KEY_CHECKING": "False"}
    return subprocess.run([str(BIN / "ansible-playbook"), "-i", str(inventory_path), "site.yml"],
                          cwd=PROJECT_ROOT / "ansible", capture_output=True, text=True, env=env)


def inside(root: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["chroot", str(root), *command], capture_output=True, text=True)


def test_the_playbook_converges_and_a_second_run_changes_nothing(host, tmp_path):
    hosts = inventory(host, tmp_path)
    first = playbook(hosts)
    assert first.returncode == 0, first.stdout[-6000:] + first.stderr[-3000:]
    second = playbook(hosts)
    assert second.returncode == 0, second.stdout[-6000:] + second.stderr[-3000:]
    recap = second.stdout.split("PLAY RECAP")[1]
    assert "changed=0" in recap and "failed=0" in recap, second.stdout[-6000:]

    migrated = inside(host, "runuser", "-u", "postgres", "--", "psql", "-p", str(PORT), "-d", "parcours", "-Atc",
                      "SELECT name FROM parcours.migrations")
    assert migrated.returncode == 0 and "baseline 0.1.0" in migrated.stdout.splitlines(), migrated.stderr
    # Strict: the install's web-facing defaults (trusted proxy, https, closed sign-up) draw no warning.
    doctor = inside(host, "/usr/local/sbin/parcours-admin", "doctor", "--strict")
    assert doctor.returncode == 0 and "0 pending" in doctor.stdout, doctor.stdout + doctor.stderr
    nginx = inside(host, "nginx", "-t")
    assert nginx.returncode == 0, nginx.stderr
    for unit in ("parcours-collect.service", "parcours-web.service", "parcours-worker.service"):
        assert (host / "etc/systemd/system/multi-user.target.wants" / unit).is_symlink()
    assert oct((host / "etc/parcours/parcours.env").stat().st_mode & 0o777) == "0o640"
    web = inside(host, "runuser", "-u", "postgres", "--", "psql", "-p", str(PORT), "-d", "parcours", "-Atc",
                 "SELECT rolname FROM pg_roles WHERE rolname LIKE 'parcours_%' ORDER BY 1")
    assert web.stdout.split() == ["parcours_analyst", "parcours_collect", "parcours_web", "parcours_worker"]
