"""Split a raw snapshot export into daily increments (docs/rules.md section 15): one folder per day.

From a folder of `<table>.parquet` files (as scripts/generate_raw_data.py writes them) this
writes `OUT/YYYY-MM-DD/<table>.parquet` for the last DAYS days up to the latest order date
(365 by default), every row in exactly one day folder, so the days add up to the snapshot:

- an order goes to the day of its ordered_at; an order dated before the first day, or whose
  date does not parse (a deliberately bad row), goes to the first day;
- an order line goes with its order (the first day when no order has its order_id);
- a service event and a customer signal go to the day of their occurred_at, else (not
  parseable) to the day of their order (events) or of their customer (signals), else the first
  day;
- a customer goes to the day of their first order, or the first day when they have none;
- a row dated after the latest order date (a service event a week after the last order) goes to
  the last day: a later day folder would be older than the next day's delivery.

All rows of one key (trimmed) go to the day of the key's earliest row: a later day's row of a
key replaces the earlier ones (section 15), so a repeated key split over two days would lose
the copies the quarantine must see. Rows without a key stay on their own day.

`--next-day` also writes the day after (benchmarks/append_orders.py: +1% orders, their lines and
service events, new customers) as its own day folder, holding only the new rows.

Deterministic (rows keep their file order within a day) and all columns stay text. Memory is
bounded: the rows and their days are kept in a scratch DuckDB file under a memory limit, then
written one day and table at a time.

Usage:
    python benchmarks/split_into_days.py --raw DIR --out DIR [--days 365] [--next-day]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path

import duckdb
from append_orders import TABLES, latest_order_date, open_export, parsed_date, sql_path, write_new_day

DAYS = 365
KEYS = {"customers": "customer_id", "orders": "order_id", "order_items": "order_item_id",
        "service_events": "event_id", "customer_signals": "signal_id"}


def split_into_days(raw_dir: Path, out_dir: Path, days: int = DAYS, memory_limit: str = "2GB") -> list[str]:
    """Write the day folders of the module docstring; return their names in date order."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise SystemExit(f"{out_dir} is not empty: the day folders must hold the split alone")
    with open_export(raw_dir) as probe:
        last_day = latest_order_date(probe)
    first_day = last_day - dt.timedelta(days=days - 1)
    with tempfile.TemporaryDirectory(dir=out_dir.parent if out_dir.parent.exists() else None) as scratch:
        con = duckdb.connect(str(Path(scratch) / "split.duckdb"))
        con.execute(f"set memory_limit = '{memory_limit}'")
        con.execute(f"set temp_directory = '{sql_path(Path(scratch) / 'spill')}'")
        read_rows_with_days(con, raw_dir, first_day, last_day)
        written = write_day_folders(con, out_dir)
        con.close()
    return written


def read_rows_with_days(con: duckdb.DuckDBPyConnection, raw_dir: Path, first_day: dt.date, last_day: dt.date) -> None:
    """Tables <table>_days: every raw row, its place in its file and its day, sorted by both."""
    day = f"""case
        when {{date}} is null or {{date}} < date '{first_day}' then date '{first_day}'
        when {{date}} > date '{last_day}' then date '{last_day}'
        else {{date}} end"""

    def rows(table: str) -> str:
        return (f"select *, nullif(trim({KEYS[table]}), '') as split_key"
                f" from read_parquet('{sql_path(raw_dir / f'{table}.parquet')}', file_row_number = true)")

    # The order's day, then what hangs on it: lines, events, customers; signals by their customer.
    row_days = {
        "orders": f"select *, {day.format(date=parsed_date('ordered_at'))} as row_day from ({rows('orders')})",
        "order_items": f"""
            select items.*, coalesce(orders.day, date '{first_day}') as row_day
            from ({rows('order_items')}) as items
            left join order_key_days as orders on trim(items.order_id) = orders.split_key""",
        "service_events": f"""
            select events.*, case when {parsed_date('events.occurred_at')} is not null
                then {day.format(date=parsed_date('events.occurred_at'))}
                else coalesce(orders.day, date '{first_day}') end as row_day
            from ({rows('service_events')}) as events
            left join order_key_days as orders on trim(events.order_id) = orders.split_key""",
        "customers": f"""
            select customers.*, coalesce(first_orders.day, date '{first_day}') as row_day
            from ({rows('customers')}) as customers
            left join customer_first_order_days as first_orders on customers.split_key = first_orders.customer_key""",
        "customer_signals": f"""
            select signals.*, case when {parsed_date('signals.occurred_at')} is not null
                then {day.format(date=parsed_date('signals.occurred_at'))}
                else coalesce(customers.day, date '{first_day}') end as row_day
            from ({rows('customer_signals')}) as signals
            left join customer_key_days as customers on trim(signals.customer_id) = customers.split_key""",
    }
    for table in ("orders", "order_items", "service_events", "customers", "customer_signals"):
        create_days_table(con, table, row_days[table])
        if table == "orders":
            con.execute("create temp table order_key_days as select split_key, min(day) as day"
                        " from orders_days where split_key is not null group by split_key")
            con.execute("create temp table customer_first_order_days as select trim(customer_id) as customer_key,"
                        " min(day) as day from orders_days group by customer_key")
        if table == "customers":
            con.execute("create temp table customer_key_days as select split_key, min(day) as day"
                        " from customers_days where split_key is not null group by split_key")


def create_days_table(con: duckdb.DuckDBPyConnection, table: str, rows_with_day: str) -> None:
    """<table>_days from rows with a row_day: each key on its earliest row's day."""
    con.execute(f"""
        create table {table}_days as
        with dated as ({rows_with_day}),
        key_days as (
            select split_key, min(row_day) as key_day from dated where split_key is not null group by split_key
        )
        select dated.* exclude (row_day), coalesce(key_days.key_day, dated.row_day) as day
        from dated
        left join key_days using (split_key)
        order by day, file_row_number
    """)


def write_day_folders(con: duckdb.DuckDBPyConnection, out_dir: Path) -> list[str]:
    """OUT/<day>/<table>.parquet for every day and table with rows, the raw columns in file order."""
    columns = {table: [name for (name,) in con.execute(
        f"select name from pragma_table_info('{table}_days') where name not in"
        " ('file_row_number', 'split_key', 'day') order by cid").fetchall()] for table in TABLES}
    days_with_rows = {table: {day for (day,) in con.execute(f"select distinct day from {table}_days").fetchall()}
                      for table in TABLES}
    days = sorted(set().union(*days_with_rows.values()))
    for day in days:
        folder = out_dir / day.isoformat()
        folder.mkdir(parents=True)
        for table in (table for table in TABLES if day in days_with_rows[table]):
            select = (f"select {', '.join(columns[table])} from {table}_days"
                      f" where day = date '{day}' order by file_row_number")
            con.execute(f"copy ({select}) to '{sql_path(folder / f'{table}.parquet')}' (format parquet)")
    return [day.isoformat() for day in days]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True, help="snapshot folder (<table>.parquet)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the day folders to (new or empty)")
    parser.add_argument("--days", type=int, default=DAYS)
    parser.add_argument("--next-day", action="store_true", help="also write the day after, +1%% orders")
    parser.add_argument("--share", type=float, default=0.01, help="the next day's new orders, a share of the orders")
    args = parser.parse_args()
    written = split_into_days(args.raw, args.out, args.days)
    print(f"{len(written)} day folders, {written[0]} to {written[-1]}")
    if args.next_day:
        day, counts = write_new_day(args.raw, args.out, args.share)
        print(f"next day {day}: " + ", ".join(f"{table} +{n:,}" for table, n in counts.items()))


if __name__ == "__main__":
    main()
