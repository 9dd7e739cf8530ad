"""Days imported from Plausible in a real browser: the owner sees them in the reports with a
notice saying what they are, leaves them out with one click, and brings them back."""

import zipfile

from app.main import create_app

VISITORS = ["date,visitors,pageviews,bounces,visits,visit_duration", "2026-10-30,10,30,4,12,600",
            "2026-10-31,20,50,5,25,1000"]


def test_imported_days_are_marked_and_can_be_left_out(cli, settings, owner, property_id, serve, browser, log_in_page,
                                                     tmp_path):
    export = tmp_path / "plausible.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("imported_visitors_20261030_20261031.csv", "\n".join(VISITORS) + "\n")
    assert cli("import", "plausible", "--site", property_id, str(export)).returncode == 0
    base = serve(create_app(settings))
    page = browser.new_page()
    log_in_page(page, base, owner)
    page.goto(f"{base}/properties/{property_id}?period=custom&from=2026-10-01&to=2026-10-31")
    page_views = page.locator('[data-metric="page_views"] .value')
    assert page_views.inner_text() == "80"
    assert "includes days imported from Plausible" in page.locator("#imported-plausible").inner_text()

    page.get_by_role("link", name="Leave them out").click()
    page.wait_for_url("**imported=0**")
    assert page_views.inner_text() == "0"
    assert "are left out of these reports" in page.locator("#imported-plausible").inner_text()
    page.get_by_role("link", name="Include them").click()
    page.wait_for_url(lambda url: "imported=0" not in url)
    assert page_views.inner_text() == "80"
