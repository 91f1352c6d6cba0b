"""Convert the CDNOW sample to the project's raw input contract (spec section 1), as CSV files.

The CDNOW sample (Fader & Hardie; tests/fixtures/cdnow/SOURCE.md) has one line per transaction:
master customer id, sample customer id (1..2357), date (YYYYMMDD), number of CDs, dollar value.
It is the data of the published BG/NBD and Gamma-Gamma estimates that the project must
reproduce (spec section 6), so it runs through the project's own raw-data path:

    python scripts/cdnow_to_raw.py OUT_DIR
    dbt build --vars '{raw_data_path: OUT_DIR, raw_file_format: csv, as_of_date: 1997-09-30}'

Mapping (every value exact, nothing invented that changes revenue):

* customers: customer_id = the sample id as written in the file ("0001"), signup_date = the date
  of the first transaction, other columns empty;
* orders: one per transaction line, order_id = "<sample id>-<line number of the customer>",
  ordered_at = the date at midnight, status completed, shipping_fee 0;
* order_items: one per order, quantity 1, unit_price = the dollar value (the line's exact
  amount: dividing by the number of CDs would not be exact), unit_cost 0, discount 0, product
  "cd" in category "music";
* service_events, customer_signals: header only (CDNOW has none).

Several lines of one customer on the same day stay separate orders: the project's purchase
summary merges same-day orders into one transaction, as the literature does.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import pandas as pd
from generate_raw_data import TABLE_COLUMNS  # the raw input contract's columns, one definition

CDNOW_COLUMNS = ["master_id", "sample_id", "date", "cds", "dollars"]
DEFAULT_SOURCE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "cdnow" / "CDNOW_sample.txt"
CALIBRATION_END = "1997-09-30"  # end of the calibration period of the published estimates


def read_cdnow(path: Path = DEFAULT_SOURCE) -> pd.DataFrame:
    """The CDNOW transaction lines, ids and amounts kept as written (text), plus the date parsed.

    Columns: master_id, sample_id (text), date (text YYYYMMDD), cds (int), dollars (text, as in
    the file), amount (float), purchase_date (datetime64[D]), line (1-based per customer, in file
    order).
    """
    frame = pd.read_csv(
        path, sep=r"\s+", header=None, names=CDNOW_COLUMNS,
        dtype={"master_id": str, "sample_id": str, "date": str, "cds": int, "dollars": str},
    )
    frame["amount"] = frame["dollars"].astype(float)
    frame["purchase_date"] = pd.to_datetime(frame["date"], format="%Y%m%d").to_numpy().astype("datetime64[D]")
    frame["line"] = frame.groupby("sample_id").cumcount() + 1
    return frame


def to_raw_tables(cdnow: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The five raw tables (text columns) for the CDNOW lines (module docstring)."""
    iso_date = pd.to_datetime(cdnow["purchase_date"]).dt.strftime("%Y-%m-%d")
    order_id = cdnow["sample_id"] + "-" + cdnow["line"].astype(str)
    first_dates = iso_date.groupby(cdnow["sample_id"]).min()
    customers = pd.DataFrame(
        {
            "customer_id": first_dates.index,
            "signup_date": first_dates.to_numpy(),
            "region": "",
            "acquisition_channel": "",
            "email": "",
        }
    )
    orders = pd.DataFrame(
        {
            "order_id": order_id,
            "customer_id": cdnow["sample_id"],
            "ordered_at": iso_date + " 00:00:00",
            "status": "completed",
            "shipping_fee": "0",
        }
    )
    order_items = pd.DataFrame(
        {
            "order_item_id": order_id + "-1",
            "order_id": order_id,
            "product_id": "cd",
            "product_category": "music",
            "quantity": "1",
            "unit_price": cdnow["dollars"],
            "unit_cost": "0",
            "discount_amount": "0",
        }
    )
    empty = {name: pd.DataFrame(columns=TABLE_COLUMNS[name]) for name in ("service_events", "customer_signals")}
    return {"customers": customers, "orders": orders, "order_items": order_items, **empty}


def write_raw(out_dir: Path, source: Path = DEFAULT_SOURCE) -> dict[str, int]:
    """Write OUT_DIR/<raw table>.csv for the CDNOW sample; returns the row count per table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, table in to_raw_tables(read_cdnow(source)).items():
        table = table[TABLE_COLUMNS[name]]
        table.to_csv(out_dir / f"{name}.csv", index=False, quoting=csv.QUOTE_MINIMAL)
        counts[name] = len(table)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder for the raw CSV files")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="CDNOW_sample.txt")
    args = parser.parse_args()
    counts = write_raw(args.out_dir, args.source)
    print(", ".join(f"{name}: {count} rows" for name, count in counts.items()))
    print(
        f"Build: dbt build --vars '{{raw_data_path: {args.out_dir}, raw_file_format: csv, "
        f"as_of_date: {CALIBRATION_END}}}'"
    )


if __name__ == "__main__":
    main()
