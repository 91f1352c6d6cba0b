"""docs/rules.md, section 12: the reference dashboard, in a real browser, shows the marts' numbers.

Needs Debian's chromium at /usr/bin/chromium (`make test` installs it with apt when missing);
Playwright drives it, no browser download. The screenshots go to target/dashboard.png (filtered
list) and target/dashboard_all_panels.png.
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest
from dbt_project import PROJECT_DIR, DbtBuild
from playwright.sync_api import Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
STREAMLIT = Path(sys.executable).with_name("streamlit")
SCREENSHOT = PROJECT_DIR / "target" / "dashboard.png"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served(demo_build):
    """The demo build's publication (a private serving folder), and the dashboard reading it."""
    build = demo_build
    port = free_port()
    log = (build.work_dir / "streamlit.log").open("w")
    server = subprocess.Popen(
        [str(STREAMLIT), "run", str(PROJECT_DIR / "dashboard" / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        env={**os.environ, "CUSTOMER_VALUE_SERVING_DIR": str(build.serving_dir)},
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        assert server.poll() is None, (build.work_dir / "streamlit.log").read_text()
        assert time.monotonic() < deadline, "the dashboard did not start"
        time.sleep(0.5)
    yield build, url
    server.terminate()
    server.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def page(served):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; make test does)")
    _, url = served
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 4200}, accept_downloads=True)
        page.goto(url)
        page.get_by_test_id("stMetric").first.wait_for(timeout=90_000)
        yield page
        browser.close()


def metric(page: Page, label: str) -> str:
    labelled = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    return page.get_by_test_id("stMetric").filter(has=labelled).get_by_test_id("stMetricValue").inner_text()


def serving_query(build: DbtBuild, sql: str) -> list[tuple]:
    """What the dashboard should show: the serving file, queried directly."""
    with duckdb.connect(str(build.serving_dir / "customer_value.duckdb"), read_only=True) as connection:
        return connection.sql(sql).fetchall()


def select(page: Page, box_label: str, option: str) -> None:
    page.get_by_test_id("stMultiSelect").filter(has_text=box_label).click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def wait_for_metric(page: Page, label: str, expected: str) -> str:
    deadline = time.monotonic() + 30
    while (shown := metric(page, label)) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return shown


def wait_until_idle(page: Page) -> None:
    """The script run that the last input started has finished: no running icon and no stale
    element left over from the run before (a metric can be current while an element below it,
    such as the download button, still holds the previous run's data)."""
    deadline = time.monotonic() + 30
    while (page.get_by_test_id("stStatusWidgetRunningIcon").count()
           or page.locator('[data-stale="true"]').count()):
        assert time.monotonic() < deadline, "the dashboard's script run did not finish"
        time.sleep(0.2)


def money(value) -> str:
    return f"{float(value):,.2f}"


def assert_table_shows(shown: dict[str, list[str]], rows: list[tuple]) -> None:
    """Each mart row (tier, count, amount, amount) is a row of the page's table, and no other."""
    assert set(shown) == {tier for tier, *_ in rows}
    for tier, count, *amounts in rows:
        cells = shown[tier]
        assert str(count) in cells and all(money(amount) in cells for amount in amounts), (tier, cells)


def test_the_page_shows_the_publication_and_the_tier_summary(served, page):
    build, _ = served
    ((publication_id,),) = serving_query(build, "select distinct publication_id from publication")
    assert publication_id in page.get_by_text("Publication ").first.inner_text()
    tiers = serving_query(
        build, "select value_tier, customers, revenue, margin_after_cost_to_serve from value_tier_summary"
    )
    assert_table_shows(html_table(page, "Share of customers"), tiers)
    for table_name in ("tier_migration", "value_upside"):
        published = serving_query(build, f"select count(*) from publication where model_name = '{table_name}'")
        note = page.get_by_text(f"{table_name} is not published yet")
        assert note.count() == (0 if published[0][0] else 1), table_name


def test_the_filtered_priority_list_equals_customer_value(served, page):
    build, _ = served
    ((everyone,),) = serving_query(build, "select count(*) from customer_value")
    assert wait_for_metric(page, "Customers in the list", f"{everyone:,}") == f"{everyone:,}"

    select(page, "Value tier", "unprofitable")
    select(page, "Upgrade reason", "fixable_cost_to_serve")
    ((customers, margin, cost),) = serving_query(build, """
        select count(*), sum(margin_after_cost_to_serve), sum(cost_to_serve)
        from customer_value
        where value_tier = 'unprofitable' and list_contains(string_split(upgrade_reasons, ','), 'fixable_cost_to_serve')
    """)
    assert 0 < customers < everyone
    assert wait_for_metric(page, "Customers in the list", f"{customers:,}") == f"{customers:,}"
    assert metric(page, "Margin after cost to serve") == money(margin)
    assert metric(page, "Cost to serve") == money(cost)

    wait_until_idle(page)
    with page.expect_download() as download:
        page.get_by_test_id("stDownloadButton").locator("button").click()
    with open(download.value.path(), newline="") as file:
        rows = list(csv.DictReader(file))
    expected = serving_query(build, """
        select customer_id from customer_value
        where value_tier = 'unprofitable' and list_contains(string_split(upgrade_reasons, ','), 'fixable_cost_to_serve')
    """)
    assert sorted(row["customer_id"] for row in rows) == sorted(customer_id for (customer_id,) in expected)
    assert {row["value_tier"] for row in rows} == {"unprofitable"}

    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 0


def upside_rows_exist(build: DbtBuild) -> bool:
    return serving_query(build, "select count(*) from value_upside")[0][0] > 0


def html_table(page: Page, header_text: str) -> dict[str, list[str]]:
    """First cell of each body row -> the row's cells, of the st.table whose header has header_text."""
    table = page.get_by_test_id("stTable").filter(has_text=header_text)
    rows = [[cell.inner_text().strip() for cell in row.locator("th, td").all()]
            for row in table.locator("tbody tr").all()]
    return {cells[0]: cells for cells in rows}


def test_migration_and_upside_panels_show_a_new_publication(served, page):
    build, _ = served
    build.run("run-operation", "publish_marts")  # a new publication of the same build, as a nightly run makes
    ((publication_id,),) = serving_query(build, "select distinct publication_id from publication")
    page.reload()
    page.get_by_text(publication_id).first.wait_for(timeout=60_000)
    for header_text in ("Tier before", "Upside to the next decile"):
        page.get_by_test_id("stTable").filter(has_text=header_text).locator("tbody tr").first.wait_for(timeout=60_000)
    page.get_by_test_id("stMetric").first.wait_for(timeout=60_000)  # the last panel: the page is complete
    assert page.get_by_text("is not published yet").count() == 0

    header = page.get_by_test_id("stTable").filter(has_text="Tier before").locator("thead th")
    columns = [cell.inner_text().strip() for cell in header.all()]
    matrix = html_table(page, "Tier before")
    latest = serving_query(build, """
        select previous_tier, value_tier, customers from tier_migration
        where period_end = (select max(period_end) from tier_migration)
    """)
    assert latest and upside_rows_exist(build)
    assert set(matrix) == {previous for previous, _, _ in latest}  # the earlier period's 'new' row is not shown
    for previous, tier, customers in latest:
        assert tier in columns, columns
        assert matrix[previous][columns.index(tier)] == str(customers), (previous, tier, columns, matrix)

    upside = serving_query(
        build, "select value_tier, customers, upside_to_next_decile, loss_avoidable from value_upside"
    )
    assert_table_shows(html_table(page, "Upside to the next decile"), upside)
    page.screenshot(path=str(SCREENSHOT.with_name("dashboard_all_panels.png")))


def percent(value) -> str:
    return f"{float(value):.1%}"


def test_top_customers_at_risk_panel_equals_customer_value(served, page):
    """The panel "Top customers at risk": the 20 top-tier customers with the highest churn
    probability, with the probability of an order within 90 days, the expected next order date
    (a date, no time of day) and the predicted CLV with its interval, as customer_value has them."""
    build, _ = served
    page.get_by_text("Top customers at risk", exact=True).first.wait_for(timeout=60_000)
    ((at_risk, revenue),) = serving_query(build, """
        select count(*) filter (where is_top_at_risk), sum(expected_revenue_12m) filter (where is_top_at_risk)
        from customer_value
    """)
    assert metric(page, "Top customers at risk") == f"{at_risk:,}"
    assert metric(page, "Their expected revenue, next 12 months") == (money(revenue) if revenue is not None else "n/a")
    expected = serving_query(build, """
        select customer_id, churn_probability, p_order_within_90d, expected_next_order_date,
            predicted_clv, predicted_clv_low, predicted_clv_high
        from customer_value
        where value_tier = 'top' and churn_probability is not null
        order by churn_probability desc, customer_id
        limit 20
    """)
    shown = html_table(page, "Churn probability")
    assert 0 < len(expected) == len(shown)
    for customer_id, churn, within_90d, next_order, clv, low, high in expected:
        cells = shown[customer_id]
        assert cells[1:] == [percent(churn), percent(within_90d),
                             "not expected" if next_order is None else next_order.isoformat(),
                             money(clv), money(low), money(high)], (customer_id, cells)
    header = page.get_by_test_id("stTable").filter(has_text="Churn probability").locator("thead th")
    assert [cell.inner_text().strip() for cell in header.all()] == [
        "Customer", "Churn probability", "Order within 90 days", "Expected next order", "Predicted CLV",
        "Predicted CLV, low (5%)", "Predicted CLV, high (95%)"]


def test_no_raw_column_names_or_times_of_day_in_the_tables(served, page):
    page.get_by_text("Top customers at risk", exact=True).first.wait_for(timeout=60_000)
    tables = page.get_by_test_id("stTable")
    assert tables.count() >= 3
    for table in tables.all():
        for cell in table.locator("thead th").all():
            assert "_" not in cell.inner_text(), cell.inner_text()
        assert "00:00:00" not in table.inner_text()
    for heading in page.locator("h1, h2, h3").all():
        assert "_" not in heading.inner_text(), heading.inner_text()


def test_quarantine_panel_equals_quarantine_summary(served, page):
    """The panel "Data quality: the quarantine": one row per raw table and reason, as
    quarantine_summary has them (the demo export has bad rows on purpose)."""
    build, _ = served
    table = page.get_by_test_id("stTable").filter(has_text="Counts toward the limit")
    table.locator("tbody tr").first.wait_for(timeout=60_000)
    shown = sorted(tuple(cell.inner_text().strip() for cell in row.locator("th, td").all())
                   for row in table.locator("tbody tr").all())
    expected = serving_query(build, """
        select source_table, reason, rows, share_of_table, counts_toward_limit from quarantine_summary
    """)
    assert len(expected) > 1
    assert shown == sorted((source_table, reason, f"{rows:,}", f"{float(share):.2%}", str(counts))
                           for source_table, reason, rows, share, counts in expected)
