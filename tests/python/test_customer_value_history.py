"""customer_value_history follows customer_value's rules (docs/rules.md section 9).

The history ranks each period's window population with the same rules as customer_value
(macros value_order and value_tier_of). With a window longer than the whole history
(value_window_days 100000), the window of the as-of period holds everything customer_value
counts and its population is customer_value's, so the as-of period's rows must equal
customer_value's, customer by customer: tier, decile and money. The demo data is built with a
mid-month as-of date (2025-09-15) and history_months 3, so the periods are the three month
ends before it and the as-of date itself.
"""

from __future__ import annotations

import pytest
from dbt_project import DbtBuild

AS_OF = "2025-09-15"
WHOLE_HISTORY = {"value_window_days": 100000, "history_months": 3, "as_of_date": AS_OF, "predict_clv": False}
COMPARED = ["value_tier", "value_decile", "revenue", "gross_margin", "cost_to_serve", "margin_after_cost_to_serve",
            "orders_count"]


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> DbtBuild:
    project = DbtBuild(tmp_path_factory.mktemp("history"))
    project.run("build", "-s", "+customer_value", "--exclude-resource-type", "test", variables=WHOLE_HISTORY)
    return project


def test_periods_are_the_month_ends_before_a_mid_month_as_of_date_and_the_date(build):
    periods = [str(row[0]) for row in build.query("select distinct period_end from customer_value_history order by 1")]
    assert periods == ["2025-06-30", "2025-07-31", "2025-08-31", AS_OF]


def test_as_of_period_equals_customer_value_on_the_same_window(build):
    columns = ", ".join(COMPARED)
    history = build.query(
        f"select customer_id, {columns} from customer_value_history where period_end = date '{AS_OF}' order by 1"
    )
    customers = build.query(f"select customer_id, {columns} from customer_value order by 1")
    assert len(customers) > 100
    assert history == customers


def test_annual_tier_is_the_lifetime_tier_on_a_whole_history_window(build):
    differing = build.query(
        "select count(*) from customer_value where annual_value_tier <> value_tier or annual_value_tier is null"
    )
    assert differing == [(0,)]
