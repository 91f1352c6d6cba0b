"""A new export built on top of an earlier one gives exactly what a first build of it gives.

Staging and the facts are plain full builds (docs/rules.md section 7: source switches, erasures and
merges need no flag). A small generated export is built; then a later export of the same shop is
built with an ordinary `dbt run` on the same database, and compared, table by table and row by
row, with a first build of that later export in a second database. The later export holds every
kind of change an export can bring:

* a day of new orders (benchmarks/append_orders.py: new orders, lines and service events, and new
  customers), a new customer signal;
* a restated order (its status changed from completed to returned);
* an identical copy of an existing order (duplicate_key) and a different copy of another one
  (conflicting_duplicate: the kept order becomes rejected, so its lines become orphans);
* a new line for an old order, a new service event about an old order;
* the customer of an orphan order arriving late (the order and its line stop being orphans);
* a customer erased (right to erasure: the customer and every row of theirs gone);
* two customer records merged (the second one's orders moved to the first, the second gone);
* an order line moved to another order.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest
from dbt_project import PROJECT_DIR, DbtBuild

sys.path.insert(0, str(PROJECT_DIR / "scripts"))
sys.path.insert(0, str(PROJECT_DIR / "benchmarks"))
import generate_raw_data as generator  # noqa: E402
from append_orders import append_new_orders  # noqa: E402

CUSTOMERS = 300
TABLES = ["customers", "orders", "order_items", "service_events", "customer_signals"]
MODELS = ["+fct_orders", "+fct_cost_to_serve", "+rejected_rows"]
# An order of a customer the first export does not have yet (an orphan until the second one).
LATE_CUSTOMER = ("C-LATE", "2025-01-01", "north", "web", "late@example.com")
ORPHAN_ORDER = ("O-ORPHAN", "C-LATE", "2025-02-01 10:00:00", "completed", "4.95")
ORPHAN_LINE = ("I-ORPHAN", "O-ORPHAN", "P1", "books", "2", "10.00", "4.00", "0.00")


def rewrite(folder: Path, table: str, sql: str) -> None:
    """Replace folder/<table>.parquet with the result of `sql`, where `raw` is the current file."""
    path = folder / f"{table}.parquet"
    with duckdb.connect() as con:
        con.execute(f"create table raw as select * from read_parquet('{path}')")
        con.execute(f"copy ({sql}) to '{path}' (format parquet)")


def append_rows(folder: Path, table: str, rows: list[tuple]) -> None:
    values = ", ".join("(" + ", ".join(f"'{v}'" for v in row) + ")" for row in rows)
    rewrite(folder, table, f"select * from raw union all select * from (values {values})")


def a_valid_order(folder: Path, offset: int) -> str:
    """The key of a valid, unique, completed order with lines, chosen deterministically."""
    with duckdb.connect() as con:
        return con.execute(
            f"""
            select o.order_id
            from read_parquet('{folder}/orders.parquet') as o
            where o.status = 'completed' and o.order_id like 'O0%'
              and (select count(*) from read_parquet('{folder}/orders.parquet') where order_id = o.order_id) = 1
              and exists (select 1 from read_parquet('{folder}/order_items.parquet') as i where i.order_id = o.order_id)
            order by hash(o.order_id), o.order_id
            limit 1 offset {offset}
            """
        ).fetchone()[0]


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The first export, the later one, and the erased and merged-away customers."""
    root = tmp_path_factory.mktemp("exports")
    first = root / "first"
    generator.generate(CUSTOMERS, first, "parquet", "", show_progress=False)
    append_rows(first, "orders", [ORPHAN_ORDER])
    append_rows(first, "order_items", [ORPHAN_LINE])

    later = root / "later"
    append_new_orders(first, later, share=0.05)
    restated, copied, conflicting, extended = (a_valid_order(first, i) for i in range(4))
    rewrite(
        later, "orders",
        f"select * replace (case when order_id = '{restated}' then 'returned' else status end as status) from raw",
    )
    rewrite(later, "orders", f"select * from raw union all select * from raw where order_id = '{copied}'")
    rewrite(
        later, "orders",
        f"select * from raw union all select * replace ('99.00' as shipping_fee) from raw"
        f" where order_id = '{conflicting}'",
    )
    append_rows(later, "order_items", [("I-NEW-LINE", extended, "P2", "home", "1", "20.00", "9.00", "0.00")])
    append_rows(later, "service_events", [("E-NEW", "", extended, "support_call", "2025-09-30 09:00:00", "1")])
    rewrite(
        later, "service_events",
        f"select * replace (case when event_id = 'E-NEW'"
        f" then (select customer_id from read_parquet('{first}/orders.parquet')"
        f" where order_id = '{extended}') else customer_id end as customer_id) from raw",
    )
    append_rows(later, "customers", [LATE_CUSTOMER])
    append_rows(later, "customer_signals", [("S-NEW", LATE_CUSTOMER[0], "review", "2025-09-30 12:00:00")])

    erased, merged_into, merged_away = (customer_of(first, a_valid_order(first, i)) for i in (5, 6, 7))
    for table in ("customers", "orders", "service_events", "customer_signals"):
        rewrite(later, table, f"select * from raw where customer_id is distinct from '{erased}'")
    rewrite(
        later, "order_items",
        f"select * from raw where order_id not in"
        f" (select order_id from read_parquet('{first}/orders.parquet') where customer_id = '{erased}')",
    )
    for table in ("orders", "service_events", "customer_signals"):
        rewrite(
            later, table,
            f"select * replace (case when customer_id = '{merged_away}' then '{merged_into}'"
            f" else customer_id end as customer_id) from raw",
        )
    rewrite(later, "customers", f"select * from raw where customer_id <> '{merged_away}'")
    rewrite(
        later, "order_items",
        f"select * replace (case when order_item_id = (select min(order_item_id) from raw"
        f" where order_id = '{a_valid_order(first, 8)}')"
        f" then '{a_valid_order(first, 9)}' else order_id end as order_id) from raw",
    )
    return {"first": first, "later": later, "erased": erased, "merged_away": merged_away}


def customer_of(folder: Path, order_id: str) -> str:
    with duckdb.connect() as con:
        return con.execute(
            f"select customer_id from read_parquet('{folder}/orders.parquet') where order_id = '{order_id}'"
        ).fetchone()[0]


def run(build: DbtBuild, export: Path, *selected: str):
    """The models of MODELS (and whatever else is `selected`) on `export`, data tests left out."""
    variables = {"raw_data_path": str(export), "max_rejected_share": 1}
    return build.run("build", "--select", *MODELS, *selected, "--exclude-resource-type", "test", variables=variables)


def built_first(work_dir: Path, exports: dict[str, Path]) -> DbtBuild:
    build = DbtBuild(work_dir)
    run(build, exports["first"], "path:seeds/config")
    return build


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory, exports: dict[str, Path]) -> DbtBuild:
    return built_first(tmp_path_factory.mktemp("first"), exports)


def relations(build: DbtBuild) -> dict[str, object]:
    """Every table and view the build wrote (staging, intermediate, marts), as Arrow tables."""
    with duckdb.connect(str(build.database), read_only=True) as con:
        names = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in ('main', 'staging', 'intermediate') order by all"
        ).fetchall()
        return {
            f"{schema}.{name}": con.execute(f'select * from "{schema}"."{name}"').to_arrow_table()
            for schema, name in names
        }


def differences(a: DbtBuild, b: DbtBuild) -> dict[str, tuple[int, int, int]]:
    """Per relation: (rows, rows only in a, rows only in b)."""
    a_relations, b_relations = relations(a), relations(b)
    assert set(a_relations) == set(b_relations)
    found = {}
    with duckdb.connect() as con:
        for name, a_rows in a_relations.items():
            con.register("a_rows", a_rows)
            con.register("b_rows", b_relations[name])
            columns = ", ".join(f'"{c}"' for c in a_rows.column_names)
            only_a, only_b = (
                con.execute(
                    f"select count(*) from (select {columns} from {x} except all select {columns} from {y})"
                ).fetchone()[0]
                for x, y in (("a_rows", "b_rows"), ("b_rows", "a_rows"))
            )
            found[name] = (a_rows.num_rows, only_a, only_b)
    return found


def test_a_later_export_built_on_an_earlier_one_equals_a_first_build(
    tmp_path: Path, first_build: DbtBuild, exports: dict[str, object]
) -> None:
    on_top = first_build.copy(tmp_path / "on_top")
    run(on_top, exports["later"])
    fresh = DbtBuild(tmp_path / "fresh")
    run(fresh, exports["later"], "path:seeds/config")

    found = differences(on_top, fresh)
    assert {
        "staging.base_shop__orders", "main.fct_orders", "main.fct_cost_to_serve", "main.rejected_rows"
    } <= set(found)
    assert {name: d for name, d in found.items() if d[1] or d[2]} == {}
    # The later export changed what it should.
    reasons = dict(
        fresh.query("select reason, count(*) from rejected_rows where source_table = 'orders' group by reason")
    )
    assert reasons["conflicting_duplicate"] >= 2 and reasons["duplicate_key"] >= 1
    assert fresh.query("select count(*) from fct_orders where order_id = 'O-ORPHAN'") == [(1,)]
    for customer in (exports["erased"], exports["merged_away"]):
        assert first_build.query(f"select count(*) from fct_orders where customer_id = '{customer}'")[0][0] > 0
        assert on_top.query(
            f"select (select count(*) from fct_orders where customer_id = '{customer}')"
            f" + (select count(*) from fct_cost_to_serve where customer_id = '{customer}')"
            f" + (select count(*) from staging.stg_shop__customers where customer_id = '{customer}')"
        ) == [(0,)]
