"""Append "a day of new orders" to a folder of raw exports: the input of an incremental run.

The new export is the old one plus, for a share of the orders (1% by default), a new order placed
on the day after the latest order: a copy of an existing order (same customer, status, fee and
time of day) with its order lines and the service events about it, under new keys. One new
order in twenty belongs to a new customer, who signs up that day. Every other row is kept as it
was, in the same order, so the folder is what an export taken one day later would look like.

Deterministic: the same input and share give the same rows. All columns stay text, as in every
raw export.

Usage:
    python benchmarks/append_orders.py --raw DIR --out DIR [--share 0.01]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import duckdb

TABLES = ["customers", "orders", "order_items", "service_events", "customer_signals"]
NEW_CUSTOMER_EVERY = 20  # one new order in this many is by a new customer


def append_new_orders(raw_dir: Path, out_dir: Path, share: float = 0.01,
                      file_format: str = "parquet") -> dict[str, int]:
    """Write raw_dir plus a day of new orders to out_dir; return the number of new rows per table."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    for table in TABLES:
        path = str(raw_dir / f"{table}.{file_format}").replace("'", "''")
        reader = (f"read_parquet('{path}')" if file_format == "parquet"
                  else f"read_csv('{path}', all_varchar = true, header = true)")
        con.execute(f"create table {table} as select * from {reader}")

    (n_orders,) = con.execute("select count(*) from orders").fetchone()
    n_new = max(1, round(share * n_orders))
    # The day after the latest valid order date.
    con.execute(
        """
        create table new_day as
        select max(try_cast(ordered_at as timestamp))::date + 1 as day
        from orders
        where regexp_full_match(trim(ordered_at), '[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?')
        """
    )
    # Templates: valid-looking, distinct orders, picked by a hash of their key (deterministic).
    con.execute(
        f"""
        create table templates as
        with candidates as (
            select *, count(*) over (partition by order_id) as copies
            from orders
            where order_id is not null and customer_id is not null
              and try_cast(ordered_at as timestamp) is not null
              and lower(trim(status)) in ('completed', 'returned', 'cancelled')
        )
        select
            order_id as template_order_id,
            row_number() over (order by hash(order_id), order_id) as sequence,
            customer_id,
            ordered_at,
            status,
            shipping_fee
        from candidates
        where copies = 1
        order by hash(order_id), order_id
        limit {n_new}
        """
    )
    con.execute(
        f"""
        create table appended_orders as
        select
            'ON' || lpad(sequence::varchar, 9, '0') as order_id,
            case when sequence % {NEW_CUSTOMER_EVERY} = 0
                then 'CN' || lpad(sequence::varchar, 9, '0') else customer_id end as customer_id,
            strftime((select day from new_day), '%Y-%m-%d') || ' '
                || coalesce(nullif(substr(trim(ordered_at), 12, 8), ''), '12:00:00') as ordered_at,
            status,
            shipping_fee,
            template_order_id,
            sequence
        from templates
        """
    )
    new_rows = {
        "customers": f"""
            select customer_id, strftime((select day from new_day), '%Y-%m-%d') as signup_date,
                'north' as region, 'web' as acquisition_channel,
                lower(customer_id) || '@example.com' as email
            from appended_orders where sequence % {NEW_CUSTOMER_EVERY} = 0 order by sequence
        """,
        "orders": ("select order_id, customer_id, ordered_at, status, shipping_fee"
                   " from appended_orders order by sequence"),
        "order_items": """
            select
                'IN' || lpad(appended_orders.sequence::varchar, 9, '0') || '-'
                    || row_number() over (partition by appended_orders.order_id
                                          order by items.order_item_id) as order_item_id,
                appended_orders.order_id, items.product_id, items.product_category, items.quantity,
                items.unit_price, items.unit_cost, items.discount_amount
            from appended_orders
            inner join order_items as items on items.order_id = appended_orders.template_order_id
            order by appended_orders.sequence, order_item_id
        """,
        "service_events": """
            select
                'EN' || lpad(appended_orders.sequence::varchar, 9, '0') || '-'
                    || row_number() over (partition by appended_orders.order_id order by events.event_id) as event_id,
                appended_orders.customer_id, appended_orders.order_id, events.activity,
                appended_orders.ordered_at as occurred_at, events.units
            from appended_orders
            inner join service_events as events on events.order_id = appended_orders.template_order_id
            order by appended_orders.sequence, event_id
        """,
        "customer_signals": None,
    }
    counts = {}
    for table in TABLES:
        target = str(out_dir / f"{table}.{file_format}").replace("'", "''")
        if new_rows[table] is None:
            counts[table] = 0
            select = f"select * from {table}"
        else:
            con.execute(f"create table new_{table} as {new_rows[table]}")
            (counts[table],) = con.execute(f"select count(*) from new_{table}").fetchone()
            select = f"select * from {table} union all select * from new_{table}"
        options = "(format parquet)" if file_format == "parquet" else "(format csv, header true)"
        con.execute(f"copy ({select}) to '{target}' {options}")
    con.close()
    return counts


def copy_folder(raw_dir: Path, out_dir: Path) -> None:
    """The raw files of raw_dir copied to out_dir (the pristine export the benchmark builds first)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in Path(raw_dir).iterdir():
        if path.is_file():
            shutil.copy2(path, out_dir / path.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True, help="folder of raw exports (<table>.parquet)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the exports plus a day of new orders")
    parser.add_argument("--share", type=float, default=0.01, help="new orders as a share of the existing ones")
    parser.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    args = parser.parse_args()
    counts = append_new_orders(args.raw, args.out, args.share, args.format)
    print(", ".join(f"{table}: +{n:,}" for table, n in counts.items()))


if __name__ == "__main__":
    main()
