"""What the import tests read back: the API's reports of the day their files fall on, and the
dashboard's page as the site's owner sees it."""

import gzip
import re

import httpx
import pytest

from app.accounts import api_keys
from app.main import create_app

DAY = "2026-11-02"


@pytest.fixture
def api(settings, admin, owner, property_id, serve):
    """GET an API report of DAY: its results."""
    base = serve(create_app(settings))
    key = api_keys.create(admin, owner["id"], "check")

    def get(path, **params):
        response = httpx.get(f"{base}/api/v1/properties/{property_id}/{path}", headers={"Authorization": f"Bearer {key}"},
                             params={"period": "custom", "from": DAY, "to": DAY, **params})
        assert response.status_code == 200, response.text
        return response.json()["results"]
    return get


@pytest.fixture
def dashboard(settings, owner, property_id, serve):
    """GET the site's dashboard page from `first` to `last` as its owner: the HTML."""
    base = serve(create_app(settings))

    def get(first: str, last: str) -> str:
        with httpx.Client(base_url=base) as browser:
            token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text).group(1)
            browser.post("/login", data={"email": owner["email"], "password": owner["password"], "csrf_token": token})
            return browser.get(f"/properties/{property_id}?period=custom&from={first}&to={last}").text
    return get


@pytest.fixture
def imports_again(cli, property_id, tmp_path):
    """Import a file again, as it is and gzipped (as log rotation leaves it): each adds nothing."""
    def again(command: str, path):
        zipped = tmp_path / f"{path.name}.1.gz"
        zipped.write_bytes(gzip.compress(path.read_bytes()))
        done = cli("import", command, "--site", property_id, str(path), str(zipped))
        assert done.returncode == 0, done.stderr
        assert done.stdout.count("imported before; nothing added") == 2, done.stdout
    return again
