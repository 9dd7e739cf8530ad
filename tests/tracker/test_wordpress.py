"""The WordPress plugin (tracker/wordpress/parcours) in a real WordPress: Debian's package, its
own MariaDB in the test's directory, PHP's built-in server, and Parcours serving the script and
taking the beacons. WordPress is driven from PHP (wordpress_site.php) and over HTTP, as a site
owner and a visitor would."""

import html
import json
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from app.main import create_app
from app.reports import periods, stats
from parcours import PROJECT_ROOT, spool
from worker import run

PLUGIN = PROJECT_ROOT / "tracker" / "wordpress" / "parcours"
DRIVER = Path(__file__).with_name("wordpress_site.php")
HOSTILE = "</script><script>alert(1)</script>"
TAGS = sorted(["alpha", "Q&A", HOSTILE], key=str.lower)
META = re.compile(r'<script type="application/json" id="parcours-meta">(.*?)</script>')


@pytest.mark.parametrize("path", sorted(PLUGIN.rglob("*.php")), ids=lambda p: str(p.relative_to(PLUGIN)))
def test_every_php_file_passes_php_lint(path):
    done = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr




@pytest.fixture
def mariadb(until, tmp_path):
    """A MariaDB of the test's own, on a socket in its directory."""
    data, sock = tmp_path / "mariadb", tmp_path / "mariadb.sock"
    subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={data}", "--user=root",
                    "--auth-root-authentication-method=normal", "--skip-test-db"], capture_output=True, check=True)
    server = subprocess.Popen(["mariadbd", "--no-defaults", f"--datadir={data}", f"--socket={sock}", "--skip-networking",
                               "--user=root", f"--pid-file={tmp_path / 'mariadb.pid'}",
                               f"--log-error={tmp_path / 'mariadb.log'}"])
    create = ["mariadb", "--no-defaults", f"--socket={sock}", "-uroot", "-e", "CREATE DATABASE wordpress"]
    until(lambda: subprocess.run(create, capture_output=True).returncode == 0, seconds=30)
    yield sock
    server.terminate()
    server.wait(30)


def php(root: Path, *args: str) -> dict:
    done = subprocess.run(["php", str(DRIVER), str(root), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def wordpress(until, tmp_path, mariadb, settings, property_id, serve, free_address):
    """A WordPress site with the plugin active and configured, and a post by Ada Lovelace in
    Science, tagged alpha, Q&A (stored by WordPress as Q&amp;A) and a hostile name."""
    parcours_url = serve(create_app(settings))
    root = tmp_path / "wordpress"
    shutil.copytree("/usr/share/wordpress", root, symlinks=False)
    shutil.copytree(PLUGIN, root / "wp-content" / "plugins" / "parcours")
    site = f"http://{free_address}"
    keys = "\n".join(f"define('{name}', '{secrets.token_hex(32)}');" for name in
                     ("AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT", "SECURE_AUTH_SALT",
                      "LOGGED_IN_SALT", "NONCE_SALT"))
    (root / "wp-config.php").write_text(f"""<?php
define('DB_NAME', 'wordpress'); define('DB_USER', 'root'); define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:{mariadb}'); define('DB_CHARSET', 'utf8mb4'); define('DB_COLLATE', '');
{keys}
$table_prefix = 'wp_';
define('WP_HOME', '{site}'); define('WP_SITEURL', '{site}');
define('WP_CONTENT_DIR', __DIR__ . '/wp-content'); define('WP_PLUGIN_DIR', __DIR__ . '/wp-content/plugins');
define('DISABLE_WP_CRON', true); define('AUTOMATIC_UPDATER_DISABLED', true);
if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
""")
    (root / ".site-url").write_text(site)
    password = "an admin password 1234"
    assert php(root, "install", json.dumps({"admin_password": password, "server": parcours_url,
                                            "property": property_id})) == {"active": True}
    post = php(root, "post", json.dumps({"category": "Science", "tags": ["alpha", "Q&A"], "raw_tags": [HOSTILE]}))
    server = subprocess.Popen(["php", "-S", free_address, "-t", str(root)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    until(lambda: _answers(site))
    yield {"root": root, "url": site, "post": post, "parcours": parcours_url, "property": property_id,
           "password": password}
    server.terminate()
    server.wait(10)


def _answers(url):
    try:
        return httpx.get(url, timeout=2).status_code < 500
    except httpx.TransportError:
        return False


def metadata(page: str) -> dict:
    found = META.search(page)
    assert found, "no parcours-meta block"
    return json.loads(found.group(1))


FLAGS = ("is_home", "is_front_page", "is_single", "is_page", "is_archive", "is_search", "is_404")


def flags(*true):
    return {flag: flag in true for flag in FLAGS}


def test_a_post_carries_its_exact_metadata_and_the_script(wordpress):
    page = httpx.get(wordpress["post"]["url"]).text
    assert metadata(page) == {"type": "post", "author": "Ada Lovelace", "categories": ["Science"],
                              "tags": TAGS, **flags("is_single")}
    script = f'<script defer src="{wordpress["parcours"]}/js/{wordpress["property"]}.js"></script>'
    assert script in page and page.index("parcours-meta") < page.index(script)
    # The plugin's output holds the hostile name only JSON-escaped (the theme prints names as
    # stored: WordPress strips markup from names on input, and this one bypassed it).
    assert HOSTILE not in page.split("</head>")[0] and r"\u003C\/script\u003E" in page


def test_the_home_page_search_and_404(wordpress):
    home = metadata(httpx.get(wordpress["url"] + "/").text)
    assert home == {"type": "front_page", **flags("is_home", "is_front_page")}
    searched = httpx.get(wordpress["url"] + "/?s=engine").text
    assert metadata(searched) == {"type": "search", **flags("is_search")}
    assert 'window.parcours("search",{"query":"engine"})' in searched
    missing = httpx.get(wordpress["url"] + "/?p=999999")
    assert missing.status_code == 404 and metadata(missing.text) == {"type": "404", **flags("is_404")}


@pytest.mark.wall_clock  # collect stamps the visit with the time it arrives
def test_a_visit_reaches_parcours_with_the_post_s_topics(until, wordpress, settings, admin, browser, refresh_rollups,
                                                         now):
    probe = browser.new_page()
    person = probe.evaluate("navigator.userAgent").replace("HeadlessChrome", "Chrome")
    probe.close()
    visitor = browser.new_page(user_agent=person)
    visitor.goto(wordpress["post"]["url"])
    visitor.goto(wordpress["url"] + "/?s=engine")
    staged = until(lambda: [json.loads(line) for segment in spool.sealed_segments(settings.spool_dir)
                            for _, line in spool.read_lines(segment)] or None)
    assert staged[0]["event"]["m"] == {"type": "post", "author": "Ada Lovelace", "categories": ["Science"],
                                       "tags": TAGS, **flags("is_single")}
    until(lambda: run.once(settings).events == 0 and admin.execute(
        "SELECT count(*) FROM metrics.events WHERE name = 'search'").fetchone()[0] == 1)
    assert admin.execute("SELECT props FROM metrics.events WHERE name = 'search'").fetchone() == ({"query": "engine"},)
    row = admin.execute("SELECT page_type, author, categories, tags FROM metrics.page_views WHERE page_type = 'post'"
                        ).fetchone()
    assert row == ("post", "Ada Lovelace", ["Science"], TAGS)
    refresh_rollups()
    query = stats.Query(wordpress["property"], periods.resolve("today", "Asia/Kolkata", now=now))
    def topics(dimension):  # the search page has none: "(unknown)" is a row of its own
        return sorted((r["value"] for r in stats.breakdown(admin, query, dimension) if r["value"]), key=str.lower)
    assert (topics("category"), topics("tag"), topics("author")) == (["Science"], TAGS, ["Ada Lovelace"])


def log_in(client: httpx.Client, wordpress: dict) -> None:
    client.cookies.set("wordpress_test_cookie", "WP Cookie check")
    done = client.post(wordpress["url"] + "/wp-login.php", data={
        "log": "admin", "pwd": wordpress["password"], "wp-submit": "Log In", "testcookie": "1",
        "redirect_to": wordpress["url"] + "/wp-admin/"})
    assert done.status_code == 302 and any(name.startswith("wordpress_logged_in") for name in client.cookies)


def test_logged_in_administrators_are_not_tracked_unless_asked(wordpress):
    with httpx.Client() as client:
        log_in(client, wordpress)
        assert "parcours-meta" not in client.get(wordpress["post"]["url"]).text
    assert "parcours-meta" in httpx.get(wordpress["post"]["url"]).text


def settings_form(client: httpx.Client, wordpress: dict) -> str:
    return client.get(wordpress["url"] + "/wp-admin/options-general.php?page=parcours").text


def test_the_settings_page_validates_and_tests_the_connection(wordpress):
    with httpx.Client() as client:
        log_in(client, wordpress)
        form = settings_form(client, wordpress)
        assert f'value="{wordpress["parcours"]}"' in form and f'value="{wordpress["property"]}"' in form

        def test_connection():
            page = settings_form(client, wordpress)
            nonce = re.search(r'name="_wpnonce" value="([^"]+)"', page.split('<form method="post">')[-1]).group(1)
            done = client.post(wordpress["url"] + "/wp-admin/options-general.php?page=parcours",
                               data={"_wpnonce": nonce, "_wp_http_referer": "/wp-admin/options-general.php?page=parcours",
                                     "parcours_test": "Test connection"})
            return html.unescape(re.search(r'id="parcours-test-result"><p>(.*?)</p>', done.text).group(1))

        assert test_connection().startswith("Connected")
        options_nonce = re.search(r'name="_wpnonce" value="([^"]+)"', form).group(1)
        saved = client.post(wordpress["url"] + "/wp-admin/options.php", data={
            "option_page": "parcours", "action": "update", "_wpnonce": options_nonce,
            "parcours_server": "ftp://stats.example.com", "parcours_property": "nosuchsite"}, follow_redirects=True)
        assert "must be an http:// or https:// URL" in html.unescape(saved.text)
        assert php(wordpress["root"], "option", "parcours_server") == ""
        assert test_connection().startswith("Enter the server address")


def test_uninstalling_removes_every_option(wordpress):
    assert php(wordpress["root"], "option", "parcours_property") == wordpress["property"]
    assert php(wordpress["root"], "uninstall") == {"uninstalled": True}
    assert php(wordpress["root"], "option", "parcours_property") is None
    assert php(wordpress["root"], "option", "parcours_server") is None
