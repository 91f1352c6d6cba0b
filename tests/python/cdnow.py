"""The CDNOW sample (tests/fixtures/cdnow/SOURCE.md) for the tests: read directly, or built by dbt as
it is, through the line layout (docs/rules.md, line layout), with no converter.

The file has one line per transaction, no header, fields separated by runs of blanks: master
customer id, sample customer id (1..2357, written "0001"), date (YYYYMMDD), number of CDs, dollar
value of the line. The mapping takes the sample id as customer, the date, and the dollar value as
the price of one unit (quantity unmapped: 1 per line, so revenue is the line's exact amount;
dividing by the number of CDs would not be exact); order_id unmapped: every line is its own order,
numbered by its line. CDNOW has no cost: unit_cost_ratio 0.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from dbt_project import DbtBuild

ROOT = Path(__file__).resolve().parents[2]
CDNOW_FILE = ROOT / "tests" / "fixtures" / "cdnow" / "CDNOW_sample.txt"
CALIBRATION_END = "1997-09-30"  # end of the calibration period of the published estimates
CDNOW_COLUMNS = ["master_id", "sample_id", "date", "cds", "dollars"]

# What a user sets to build the file as it is (docs/own-data.md, one file of invoice lines).
LINE_LAYOUT_VARS = {
    "raw_layout": "lines",
    "raw_data_path": str(CDNOW_FILE),
    "raw_csv_delimiter": " ",
    "raw_date_format": "%Y%m%d",
    "raw_line_columns": {"customer_id": 2, "ordered_at": 3, "unit_price": 5},
    "unit_cost_ratio": 0,
}


def read_cdnow(path: Path = CDNOW_FILE) -> pd.DataFrame:
    """The CDNOW transaction lines, ids and amounts kept as written (text), plus the date parsed.

    Columns: master_id, sample_id (text), date (text YYYYMMDD), cds (int), dollars (text, as in
    the file), amount (float), purchase_date (datetime64[D]).
    """
    frame = pd.read_csv(
        path, sep=r"\s+", header=None, names=CDNOW_COLUMNS,
        dtype={"master_id": str, "sample_id": str, "date": str, "cds": int, "dollars": str},
    )
    frame["amount"] = frame["dollars"].astype(float)
    frame["purchase_date"] = pd.to_datetime(frame["date"], format="%Y%m%d").to_numpy().astype("datetime64[D]")
    return frame


def build_cdnow(work_dir: Path, **variables) -> DbtBuild:
    """`dbt build` on the CDNOW file as it is (the unit tests left out, as by every DbtBuild)."""
    project = DbtBuild(work_dir)
    project.run("build", variables={**LINE_LAYOUT_VARS, **variables})
    return project
