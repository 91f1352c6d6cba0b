"""Daily increments (docs/rules.md, section 15): the marts after a sequence of day folders equal a
full build of the snapshot the days add up to.

The days, written here as CSV from the demo export (seeds/raw):
- 2025-01-01: the whole demo export (with its bad rows);
- 2025-01-02: a plain new day: a new customer with an order and its lines, and old orders
  delivered again with another status (completed -> returned);
- 2025-01-03: an erasure (a customer and every row of theirs) and a merge (one customer's
  orders pass to another, whose row survives), and one more unit on a line of an old order (in
  a closed period of the history) whose customer no other row of the days names;
- 2025-01-04: a day whose rows are all bad (missing keys, a status outside the contract).
Day 2 also brings an order and a signal whose customer, and a line and a service event whose
order, come only on day 3, which moves another line to that order, and a service event of an old
customer about the order whose customer comes on day 3, and a service call of another old
customer dated after the as-of date (the demo's latest order), which an order of day 3 moves
past it. Loaded in three builds (day
1, day 2, then days 3 and 4): the later builds process only what their days changed. Then a
build with nothing new. A late day folder (2024-12-31) then stops the build with one line;
`--full-refresh` reloads every day in date order, and since the late day only holds an older
version of an order day 2 replaces, the marts are the same again. A build of the demo in the
same database, then of the increments again, rebuilds the state, and so does a build with another
value of a var the kept rows depend on (value_window_days); changed rates make the models computed
from them redo every key.

The snapshot is computed here independently, in plain Python, by the rules of section 15
(latest version of each key, rows without a key kept, erasures and merges applied in day
order), written as a raw_data_path folder and built in a database of its own.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from dbt_project import PROJECT_DIR, DbtBuild

SEEDS = PROJECT_DIR / "seeds" / "raw"
TABLES = ["customers", "orders", "order_items", "service_events", "customer_signals"]
KEYS = {"customers": "customer_id", "orders": "order_id", "order_items": "order_item_id",
        "service_events": "event_id", "customer_signals": "signal_id"}
PUBLIC_MARTS = ["customer_value", "customer_value_deciles", "whale_curve", "value_tier_summary", "value_upside",
                "fct_orders", "fct_cost_to_serve", "rejected_rows", "nulled_values", "customer_value_history",
                "tier_migration"]
VARIABLES = {"raw_file_format": "csv", "predict_clv": False, "publish_marts": False}
INCREMENTS_VAR = "raw_increments_path"


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def demo() -> dict[str, tuple[list[str], list[dict]]]:
    return {table: read_rows(SEEDS / f"raw_{table}.csv") for table in TABLES}


def valid_customers(tables) -> list[str]:
    """Customers of the demo with completed orders, in id order (clean ids: one letter)."""
    _, orders = tables["orders"]
    ids = sorted({row["customer_id"] for row in orders if row["status"] == "completed" and row["customer_id"][:1] == "C"
                  and row["customer_id"][1:].isdigit()})
    return ids


def old_line_changed(tables, excluded: set[str]) -> dict:
    """A clean line of a completed order of spring 2025 (in closed periods of the history), with
    one more unit; the order's customer has one clean row and is not in `excluded`."""
    _, customer_rows = tables["customers"]
    _, orders = tables["orders"]
    _, items = tables["order_items"]
    customer_copies = Counter(row["customer_id"] for row in customer_rows)
    order_copies = Counter(row["order_id"] for row in orders)
    line_copies = Counter(row["order_item_id"] for row in items)
    amount = re.compile(r"[0-9]+\.[0-9]{2}")
    for order in sorted(orders, key=lambda row: row["order_id"]):
        if (order["status"] != "completed" or not "2025-02-01" <= order["ordered_at"] < "2025-07-01"
                or order_copies[order["order_id"]] != 1 or customer_copies[order["customer_id"]] != 1
                or order["customer_id"] in excluded):
            continue
        for line in items:
            if (line["order_id"] == order["order_id"] and line_copies[line["order_item_id"]] == 1
                    and line["quantity"].isdigit() and int(line["quantity"]) > 0
                    and amount.fullmatch(line["unit_price"]) and float(line["unit_price"]) > 0
                    and amount.fullmatch(line["unit_cost"])):
                return line | {"quantity": str(int(line["quantity"]) + 1)}
    raise AssertionError("no clean line of a completed spring 2025 order in the demo export")


def early_customer(tables, excluded: set[str]) -> str:
    """A customer with one row and a completed order before December 2024 (so with rows in the
    closed periods of the history), not in `excluded`."""
    _, customer_rows = tables["customers"]
    _, orders = tables["orders"]
    customer_copies = Counter(row["customer_id"] for row in customer_rows)
    return min(row["customer_id"] for row in orders
               if row["status"] == "completed" and "2023-01-01" <= row["ordered_at"] < "2024-12-01"
               and customer_copies[row["customer_id"]] == 1 and row["customer_id"] not in excluded)


def write_days(root: Path) -> dict[str, dict]:
    """The day folders of the module docstring; returns each day's content for the snapshot."""
    tables = demo()
    customers = valid_customers(tables)
    erased, merged_from, merged_to = customers[0], customers[1], customers[2]
    orders_header, orders = tables["orders"]
    completed = [row for row in orders if row["status"] == "completed" and row["order_id"][:1] == "O"
                 and row["order_id"][1:].isdigit()]
    days: dict[str, dict] = {"2025-01-01": {table: tables[table] for table in TABLES}}

    items_header = tables["order_items"][0]
    customers_header = tables["customers"][0]
    new_customer = {name: "" for name in customers_header} | {"customer_id": "C9999001", "signup_date": "2025-01-02",
                                                               "region": "north"}
    new_order = {"order_id": "O999900001", "customer_id": "C9999001", "ordered_at": "2025-01-02 10:00:00",
                 "status": "completed", "shipping_fee": "4.95"}
    new_items = [{name: "" for name in items_header} | {"order_item_id": f"I99990000{n}", "order_id": "O999900001",
                  "product_id": "P001", "quantity": "2", "unit_price": "30.00", "unit_cost": "12.00"} for n in (1, 2)]
    returned = [row | {"status": "returned"} for row in completed[:5]]
    # rows that arrive before what they name: orphans on day 2, staged once day 3 brings it
    early_order = new_order | {"order_id": "O999900002", "customer_id": "C9999002"}
    early_line = new_items[0] | {"order_item_id": "I999900003", "order_id": "O999900003"}
    early_event = {"event_id": "E999900001", "customer_id": "C9999001", "order_id": "O999900003",
                   "activity": "support_call", "occurred_at": "2025-01-02 15:00:00", "units": "1"}
    early_signal = {"signal_id": "S999900001", "customer_id": "C9999002", "signal_type": "review",
                    "occurred_at": "2025-01-02 16:00:00"}
    named = {*customers[:4], *(row["customer_id"] for row in returned)}
    # its order's customer is named by no row of the days: only the line tells what changed
    changed_line = old_line_changed(tables, named)
    named |= {row["customer_id"] for row in orders if row["order_id"] == changed_line["order_id"]}
    # a support call of an old customer about another customer's order (a gift, say): staged with
    # the order on day 3, it counts for a customer no row of day 3 names, in closed periods
    call_about_gift = early_event | {"event_id": "E999900002", "customer_id": early_customer(tables, named),
                                     "order_id": "O999900002", "occurred_at": "2025-01-02 17:00:00"}
    named.add(call_about_gift["customer_id"])
    # a support call dated after the demo's latest order (the as-of date until day 3): it counts
    # once day 3's order moves the as-of date past it, though day 3 names neither it nor its customer
    call_after_as_of = early_event | {"event_id": "E999900003", "customer_id": early_customer(tables, named),
                                      "order_id": "", "occurred_at": "2025-10-01 09:00:00"}
    order_after_as_of = new_order | {"order_id": "O999900004", "ordered_at": "2025-10-01 10:00:00"}
    line_after_as_of = new_items[0] | {"order_item_id": "I999900004", "order_id": "O999900004"}
    days["2025-01-02"] = {
        "customers": (customers_header, [new_customer]),
        "orders": (orders_header, [new_order, early_order, *returned]),
        "order_items": (items_header, [*new_items, early_line]),
        "service_events": (tables["service_events"][0], [early_event, call_about_gift, call_after_as_of]),
        "customer_signals": (tables["customer_signals"][0], [early_signal]),
    }
    days["2025-01-03"] = {
        "customers": (customers_header, [new_customer | {"customer_id": "C9999002"}]),
        "orders": (orders_header, [new_order | {"order_id": "O999900003", "ordered_at": "2025-01-03 10:00:00"},
                                   order_after_as_of]),
        # a line moves to another order: both orders are priced again
        "order_items": (items_header, [new_items[1] | {"order_id": "O999900003"}, changed_line, line_after_as_of]),
        "erasures": (["customer_id"], [{"customer_id": erased}]),
        "customer_merges": (["from_customer_id", "to_customer_id"],
                            [{"from_customer_id": merged_from, "to_customer_id": merged_to}]),
    }
    days["2025-01-04"] = {
        "orders": (orders_header, [
            {"order_id": "", "customer_id": customers[3], "ordered_at": "2025-01-04 09:00:00", "status": "completed",
             "shipping_fee": ""},
            {"order_id": "O999900009", "customer_id": customers[3], "ordered_at": "2025-01-04 09:00:00",
             "status": "lost", "shipping_fee": ""},
        ]),
    }
    for day, content in days.items():
        for name, (header, rows) in content.items():
            write_rows(root / day / f"{name}.csv", header, rows)
    return days


def snapshot(days: dict[str, dict]) -> dict[str, tuple[list[str], list[dict]]]:
    """What the days add up to, by the rules of docs/rules.md section 15."""
    headers = {table: read_rows(SEEDS / f"raw_{table}.csv")[0] for table in TABLES}
    state: dict[str, list[dict]] = {table: [] for table in TABLES}
    for day in sorted(days):
        content = days[day]
        for table in TABLES:
            if table not in content:
                continue
            rows = content[table][1]
            key = KEYS[table]
            delivered = {row[key].strip() for row in rows if row[key].strip()}
            state[table] = [row for row in state[table] if row[key].strip() not in delivered] + list(rows)
        for erasure in content.get("erasures", (None, []))[1]:
            gone = erasure["customer_id"].strip()
            gone_orders = {row["order_id"].strip() for row in state["orders"] if row["customer_id"].strip() == gone}
            state["order_items"] = [row for row in state["order_items"] if row["order_id"].strip() not in gone_orders]
            for table in ("orders", "service_events", "customer_signals", "customers"):
                state[table] = [row for row in state[table] if row["customer_id"].strip() != gone]
        for merge in content.get("customer_merges", (None, []))[1]:
            source, target = merge["from_customer_id"].strip(), merge["to_customer_id"].strip()
            for table in ("orders", "service_events", "customer_signals"):
                state[table] = [row | {"customer_id": target} if row["customer_id"].strip() == source else row
                                for row in state[table]]
            if any(row["customer_id"].strip() == target for row in state["customers"]):
                state["customers"] = [row for row in state["customers"] if row["customer_id"].strip() != source]
            else:
                state["customers"] = [row | {"customer_id": target} if row["customer_id"].strip() == source else row
                                      for row in state["customers"]]
    return {table: (headers[table], state[table]) for table in TABLES}


def marts(build: DbtBuild) -> dict[str, list[tuple]]:
    return {mart: build.query(f"select * from {mart} order by all") for mart in PUBLIC_MARTS}


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("increments")
    root = work / "days"
    days = write_days(root)
    snapshot_folder = work / "snapshot"
    for table, (header, rows) in snapshot(days).items():
        write_rows(snapshot_folder / f"{table}.csv", header, rows)
    full = DbtBuild(work / "full")
    full.run("seed", variables={**VARIABLES, "raw_data_path": str(snapshot_folder)})
    full.run("run", variables={**VARIABLES, "raw_data_path": str(snapshot_folder)})

    # three builds: day 1 (every model built in full), day 2, then days 3 and 4
    later = ["2025-01-02", "2025-01-03", "2025-01-04"]
    for day in later:
        shutil.move(root / day, work / day)
    increments = DbtBuild(work / "increments")
    variables = {**VARIABLES, INCREMENTS_VAR: str(root)}
    increments.run("seed", variables=variables)
    increments.run("run", variables=variables)
    first = increments.query("select day_folder from raw_state.loaded_days order by 1")
    for delivered in (later[:1], later[1:]):
        for day in delivered:
            shutil.move(work / day, root / day)
        increments.run("run", variables=variables)
    return full, increments, variables, root, first


def test_a_build_loads_only_the_new_day_folders(builds):
    _, increments, _, _, first = builds
    assert first == [("2025-01-01",)]
    loaded = increments.query("select day_folder, count(*) from raw_state.loaded_days group by 1 order by 1")
    assert loaded == [(day, 1) for day in ("2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04")]


def test_the_marts_equal_a_full_build_of_the_snapshot(builds):
    full, increments, *_ = builds
    expected, found = marts(full), marts(increments)
    for mart in PUBLIC_MARTS:
        assert found[mart] == expected[mart], mart


def test_erasure_merge_and_bad_day_are_applied(builds):
    _, increments, _, root, _ = builds
    erased = read_rows(root / "2025-01-03" / "erasures.csv")[1][0]["customer_id"]
    merge = read_rows(root / "2025-01-03" / "customer_merges.csv")[1][0]
    assert increments.query(f"select count(*) from raw.orders where trim(customer_id) = '{erased}'") == [(0,)]
    assert increments.query(
        f"select count(*) from customer_value where customer_id in ('{erased}', '{merge['from_customer_id']}')"
    ) == [(0,)]
    reasons = increments.query(
        "select reason, count(*) from rejected_rows where source_table = 'orders'"
        " and (source_key = 'O999900009' or source_key is null or trim(source_key) = '') group by 1 order by 1")
    assert ("invalid_value", 1) in reasons and any(reason == "missing_key" for reason, _ in reasons)


def test_nothing_new_changes_nothing(builds):
    """Also: the touched keys of days every model has processed are forgotten, and so is the
    last processed day of a model no longer in the project, which would hold them forever."""
    import duckdb

    _, increments, variables, _, _ = builds
    before = marts(increments)
    removed_model = "'\"increments\".\"main\".\"a_removed_model\"'"
    with duckdb.connect(str(increments.database)) as connection:
        connection.execute(f"insert into raw_state.processed_days values ({removed_model}, '2025-01-01', '')")
    increments.run("run", variables=variables)
    assert increments.query("select count(*) from raw_state.loaded_days") == [(4,)]
    assert marts(increments) == before
    forgotten = f"select count(*) from raw_state.processed_days where model_name = {removed_model}"
    assert increments.query(forgotten) == [(0,)]
    assert increments.query("select count(*) from raw_state.touched_keys where day_folder <> 'future'") == [(0,)]
    models = increments.query("select count(distinct model_name) from raw_state.processed_days")[0][0]
    assert models >= 10


def test_a_late_day_stops_the_build_until_a_full_refresh(builds):
    full, increments, variables, root, _ = builds
    header, orders = read_rows(SEEDS / "raw_orders.csv")
    returned_on_day_2 = read_rows(root / "2025-01-02" / "orders.csv")[1][1]
    write_rows(root / "2024-12-31" / "orders.csv", header, [returned_on_day_2 | {"status": "cancelled"}])
    result = increments.run("run", variables=variables, check=False)
    assert result.returncode != 0
    assert "day folder 2024-12-31 is older than the last loaded day 2025-01-04" in result.stdout
    increments.run("run", "--full-refresh", variables=variables)
    assert increments.query("select count(*) from raw_state.loaded_days") == [(5,)]
    expected = marts(full)
    found = marts(increments)
    for mart in PUBLIC_MARTS:
        assert found[mart] == expected[mart], mart


def test_a_build_from_other_input_between_increments_builds_starts_the_state_over(builds):
    full, increments, variables, _, _ = builds
    expected = marts(full)
    increments.run("run", variables=VARIABLES)  # the demo export, not what the days add up to
    assert marts(increments)["customer_value"] != expected["customer_value"]
    schemas = "select count(*) from information_schema.schemata where schema_name = 'raw_state'"
    assert increments.query(schemas) == [(0,)]
    increments.run("run", variables=variables)
    assert increments.query("select count(*) from raw_state.loaded_days") == [(5,)]
    assert marts(increments) == expected


def write_as_parquet(csv_root: Path, parquet_root: Path) -> None:
    """The day folders again as Parquet (every column text). Day 2's orders have their columns in
    another order and spelled in capitals: the files of one table need not share a schema."""
    import duckdb

    with duckdb.connect() as connection:
        for source in sorted(csv_root.glob("*/*.csv")):
            target = parquet_root / source.parent.name / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.stem in TABLES:
                read = f"read_csv('{source}', all_varchar = true, header = true)"
                columns = "*"
                if source.parent.name == "2025-01-02" and source.stem == "orders":
                    columns = ", ".join(f"{name} as {name.upper()}" for name in reversed(read_rows(source)[0]))
                connection.execute(f"copy (select {columns} from {read}) to '{target.with_suffix('.parquet')}'")
            else:
                shutil.copy(source, target)


def test_parquet_day_folders_read_in_one_pass_equal_the_snapshot(builds, tmp_path: Path):
    """A first build of Parquet day folders reads each table's files together, up to the day of
    the erasure and merge; every file is still checked on its own."""
    import duckdb

    full, _, _, root, _ = builds
    parquet_root = tmp_path / "days"
    write_as_parquet(root, parquet_root)
    shutil.rmtree(parquet_root / "2024-12-31")  # the late day of the test above: not part of the snapshot
    variables = {**VARIABLES, "raw_file_format": "parquet", INCREMENTS_VAR: str(parquet_root)}
    build = DbtBuild(tmp_path / "build")
    build.run("seed", variables=variables)

    (parquet_root / "2025-01-05").mkdir()
    (parquet_root / "2025-01-05" / "orders.csv").write_text("order_id\n", encoding="utf-8")
    result = build.run("run", variables=variables, check=False)
    assert result.returncode != 0
    assert "day folder 2025-01-05 holds none of the files" in result.stdout

    bad_dates = parquet_root / "2025-01-05" / "orders.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            "copy (select 'O99990' || n as order_id, 'C0001' as customer_id, '05/01/2025' as ordered_at,"
            f" 'completed' as status, null as shipping_fee from range(3) as numbers (n)) to '{bad_dates}'")
    result = build.run("run", variables=variables, check=False)
    assert result.returncode != 0
    assert f"Raw file {bad_dates.as_posix()}: column ordered_at: 3 of 3 values are not dates" in result.stdout

    shutil.rmtree(parquet_root / "2025-01-05")
    build.run("run", variables=variables)
    assert marts(build) == marts(full)


def test_changed_rates_make_the_models_that_read_them_redo_every_key(builds):
    """As `dbt seed` of edited rates would: the models computed from them redo every key."""
    import duckdb

    full, increments, variables, root, _ = builds
    before = marts(increments)
    for build in (full, increments):
        with duckdb.connect(str(build.database)) as connection:
            connection.execute("update seeds.service_cost_rates set cost_per_unit = cost_per_unit * 2")
    full.run("run", variables={**VARIABLES, "raw_data_path": str(root.parent / "snapshot")})
    increments.run("run", variables=variables)
    expected, found = marts(full), marts(increments)
    assert found["fct_cost_to_serve"] != before["fct_cost_to_serve"]
    for mart in PUBLIC_MARTS:
        assert found[mart] == expected[mart], mart
    seeds = increments.query("select distinct seeds from raw_state.processed_days order by 1")
    assert any("service_cost_rates:" in text for (text,) in seeds) and ("",) in seeds  # base_shop__orders reads none


# The vars that are not among kept_settings (macros/raw_files/load_raw_increments.sql), each with
# why a change of it needs no rebuild of the increments.
NOT_KEPT = {
    "raw_data_path": "the snapshot input: building it drops the state",
    "raw_increments_path": "another folder is another state (loaded_days.increments_path)",
    "raw_layout": "the line layout of a raw_data_path export",
    "raw_line_columns": "the line layout of a raw_data_path export",
    "unit_cost_ratio": "the line layout of a raw_data_path export",
    "credit_note_pattern": "the line layout of a raw_data_path export",
    "upgrade_window_days": "upgrade flags, computed in full",
    "upgrade_growth_ratio": "upgrade flags, computed in full",
    "clv_horizon_months": "lifetime value, computed in full",
    "clv_annual_discount_rate": "lifetime value, computed in full",
    "at_risk_p_alive": "lifetime value, computed in full",
    "clv_min_repeat_buyers": "lifetime value, computed in full",
    "predict_clv": "lifetime value, computed in full",
    "clv_holdout_days": "lifetime value, computed in full",
    "max_rejected_share": "a test's threshold",
    "raw_freshness_warn_after_days": "source freshness",
    "raw_freshness_error_after_days": "source freshness",
    "publish_marts": "the publication of the built marts",
}


def test_every_var_is_kept_or_said_not_to_need_a_rebuild():
    import yaml

    project_vars = set(yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"])
    macro = (PROJECT_DIR / "macros" / "raw_files" / "load_raw_increments.sql").read_text()
    names = re.search(r"macro kept_settings\(\).*?for name in \[(.*?)\]", macro, re.S).group(1)
    kept = set(re.findall(r"'([a-z_]+)'", names))
    assert kept and not kept & set(NOT_KEPT)
    assert kept | set(NOT_KEPT) == project_vars


def test_a_changed_kept_var_rebuilds_the_state_and_every_model(builds):
    """Last in this module: it builds `full` again with another value_window_days."""
    full, increments, variables, root, _ = builds
    loaded_at = "select min(loaded_at) from raw_state.loaded_days"
    history = "select * from customer_value_history order by all"
    before, history_before = increments.query(loaded_at), increments.query(history)
    changed = {"value_window_days": 90}
    increments.run("run", variables={**variables, **changed})
    rebuilt = increments.query(loaded_at)
    assert rebuilt != before
    assert increments.query(history) != history_before

    full.run("run", variables={**VARIABLES, "raw_data_path": str(root.parent / "snapshot"), **changed})
    expected, found = marts(full), marts(increments)
    for mart in PUBLIC_MARTS:
        assert found[mart] == expected[mart], mart

    increments.run("run", variables={**variables, **changed})
    assert increments.query(loaded_at) == rebuilt
