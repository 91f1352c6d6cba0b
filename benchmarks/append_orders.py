"""Append "a day of new orders" to a folder of raw exports: the input of an incremental run.

The new export is the old one plus, for a share of the orders (1% by default), a new order placed
on the day after the latest order: a copy of an existing order (same customer, status, fee and
time of day) with its order lines and the service events about it, under new keys. One new
order in twenty belongs to a new customer, who signs up that day. Every other row is kept as it
was, in the same order, so the folder is what an export taken one day later would look like.

The same new rows can also be written alone, as the day folder of daily increments
(docs/rules.md section 15) that follows benchmarks/split_into_days.py's folders: write_new_day.

Deterministic: the same input and share give the same rows. All columns stay text, as in every
raw export.

Usage:
    python benchmarks/append_orders.py --raw DIR --out DIR [--share 0.01]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
from pathlib import Path

import duckdb

TABLES = ["customers", "orders", "order_items", "service_events", "customer_signals"]
NEW_CUSTOMER_EVERY = 20  # one new order in this many is by a new customer
ISO_TIMESTAMP = "[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?"


def parsed_date(column: str) -> str:
    """SQL: the date of a raw ISO timestamp (or date) text, null when it does not parse."""
    return (f"case when regexp_full_match(trim({column}), '{ISO_TIMESTAMP}')"
            f" then cast(try_cast(trim({column}) as timestamp) as date) end")


def sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def raw_reader(path: Path, file_format: str) -> str:
    """SQL reading one raw file, every column as text."""
    if file_format == "parquet":
        return f"read_parquet('{sql_path(path)}')"
    return f"read_csv('{sql_path(path)}', all_varchar = true, header = true)"


def open_export(raw_dir: Path, file_format: str = "parquet") -> duckdb.DuckDBPyConnection:
    """A connection with one view per raw table of the export, read where it lies."""
    con = duckdb.connect()
    for table in TABLES:
        reader = raw_reader(Path(raw_dir) / f"{table}.{file_format}", file_format)
        con.execute(f"create view {table} as select * from {reader}")
    return con


def latest_order_date(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The latest date of a parseable order timestamp in the export's orders."""
    return con.execute(f"select max({parsed_date('ordered_at')}) from orders").fetchone()[0]


def create_new_day(con: duckdb.DuckDBPyConnection, share: float) -> dict[str, int]:
    """Tables new_<table> in `con` (an open_export): the new rows of the day after the latest
    order. Returns their number per table."""
    (n_orders,) = con.execute("select count(*) from orders").fetchone()
    n_new = max(1, round(share * n_orders))
    con.execute("create table new_day as select ? + 1 as day", [latest_order_date(con)])
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
        # no new signals: a day of orders
        "customer_signals": "select * from customer_signals limit 0",
    }
    counts = {}
    for table in TABLES:
        con.execute(f"create table new_{table} as {new_rows[table]}")
        (counts[table],) = con.execute(f"select count(*) from new_{table}").fetchone()
    return counts


def copy_to(con: duckdb.DuckDBPyConnection, select: str, target: Path, file_format: str) -> None:
    options = "(format parquet)" if file_format == "parquet" else "(format csv, header true)"
    con.execute(f"copy ({select}) to '{sql_path(target)}' {options}")


def append_new_orders(raw_dir: Path, out_dir: Path, share: float = 0.01,
                      file_format: str = "parquet") -> dict[str, int]:
    """Write raw_dir plus a day of new orders to out_dir; return the number of new rows per table."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with open_export(raw_dir, file_format) as con:
        counts = create_new_day(con, share)
        for table in TABLES:
            copy_to(con, f"select * from {table} union all select * from new_{table}",
                    out_dir / f"{table}.{file_format}", file_format)
    return counts


def write_new_day(raw_dir: Path, increments_dir: Path, share: float = 0.01,
                  file_format: str = "parquet") -> tuple[str, dict[str, int]]:
    """Write the day of new orders append_new_orders adds to raw_dir as one day folder of daily
    increments, increments_dir/<YYYY-MM-DD>/<table>.<file_format>, only the new rows (a table
    without new rows has no file). Returns the day folder's name and the new rows per table."""
    with open_export(raw_dir, file_format) as con:
        counts = create_new_day(con, share)
        (day,) = con.execute("select strftime(day, '%Y-%m-%d') from new_day").fetchone()
        folder = Path(increments_dir) / day
        folder.mkdir(parents=True)
        for table in TABLES:
            if counts[table]:
                copy_to(con, f"select * from new_{table}", folder / f"{table}.{file_format}", file_format)
    return day, counts


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
