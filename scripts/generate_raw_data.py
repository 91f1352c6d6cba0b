"""Generate the demo raw exports (and large synthetic ones for benchmarks).

The customer base follows the processes that customer-base analysis assumes:

* Purchase timing (the BG/NBD story, Fader, Hardie & Lee 2005, "Counting your customers the
  easy way"): while active, a customer buys at a Poisson rate lambda ~ Gamma(r, alpha) per
  week; after every purchase the customer drops out for good with probability p ~ Beta(a, b).
* Spend (the Gamma-Gamma story, Fader & Hardie 2013): the value of an order is
  Gamma(p, nu) with the customer's nu ~ Gamma(q, gamma), so spend per order varies between
  customers but is stable within one.
* Cost to serve is heterogeneous with a long tail: most customers rarely call support or
  return goods, a few do it all the time; a small share of business accounts take
  account-manager hours every month. That is what bends the whale curve (Kaplan & Narayanan
  2001, "Measuring and managing customer profitability": the most profitable 20% of
  customers often earn 150-300% of total profit, the least profitable lose most of it).
* Advocacy signals (referrals, reviews, social mentions, feedback) come mostly from a
  minority of advocates.

Every chunk of customers also receives a fixed set of deliberately bad rows covering every
rejection reason of the spec (section 2), so the quarantine shows on the demo data and on
large data alike.

Usage:
    python scripts/generate_raw_data.py                      # demo seeds -> seeds/raw/raw_<table>.csv
    python scripts/generate_raw_data.py --customers 1000000 --format parquet --out DIR

Output is deterministic: the same arguments give byte-identical files. Generation is
vectorised with NumPy per chunk of customers and streamed to disk, so memory stays bounded
whatever the size.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

SEED = 20261123
HISTORY_START = np.datetime64("2023-01-01")
HISTORY_END = np.datetime64("2025-09-30")
LIVE_CHAT_STARTS = np.datetime64("2024-01-01")  # matches seeds/config/service_cost_rates.csv
HISTORY_DAYS = int((HISTORY_END - HISTORY_START) / np.timedelta64(1, "D"))
DEMO_CUSTOMERS = 2000
CHUNK_CUSTOMERS = 50_000

TABLE_COLUMNS = {
    "customers": ["customer_id", "signup_date", "region", "acquisition_channel", "email"],
    "orders": ["order_id", "customer_id", "ordered_at", "status", "shipping_fee"],
    "order_items": [
        "order_item_id", "order_id", "product_id", "product_category",
        "quantity", "unit_price", "unit_cost", "discount_amount",
    ],
    "service_events": ["event_id", "customer_id", "order_id", "activity", "occurred_at", "units"],
    "customer_signals": ["signal_id", "customer_id", "signal_type", "occurred_at"],
}

# Product catalogue: category -> (price range, gross margin rate). Margins differ by category.
CATEGORIES = {
    "electronics": ((60.0, 400.0), 0.10),
    "home": ((15.0, 150.0), 0.27),
    "apparel": ((12.0, 90.0), 0.40),
    "beauty": ((6.0, 60.0), 0.50),
    "books": ((6.0, 40.0), 0.22),
    "accessories": ((5.0, 50.0), 0.52),
}
PRODUCTS_PER_CATEGORY = 25
REGIONS = np.array(["north", "south", "east", "west", "central"])
CONSUMER_CHANNELS = np.array(["paid_search", "organic", "social", "referral", "email"])
SIGNAL_TYPES = np.array(["review", "social_mention", "feedback", "referral"])
SIGNAL_WEIGHTS = np.array([0.45, 0.30, 0.15, 0.10])


@dataclass(frozen=True)
class Catalogue:
    product_id: np.ndarray
    category: np.ndarray
    price: np.ndarray
    cost: np.ndarray

    @classmethod
    def build(cls, rng: np.random.Generator) -> "Catalogue":
        ids, categories, prices, costs = [], [], [], []
        for index, (category, ((low, high), margin)) in enumerate(CATEGORIES.items()):
            price = np.round(np.exp(rng.uniform(np.log(low), np.log(high), PRODUCTS_PER_CATEGORY)), 2)
            product_margin = np.clip(rng.normal(margin, 0.05, PRODUCTS_PER_CATEGORY), 0.05, 0.85)
            ids += [f"P{index + 1}{n:03d}" for n in range(PRODUCTS_PER_CATEGORY)]
            categories += [category] * PRODUCTS_PER_CATEGORY
            prices.append(price)
            costs.append(np.round(price * (1 - product_margin), 2))
        return cls(np.array(ids), np.array(categories), np.concatenate(prices), np.concatenate(costs))


# ---------------------------------------------------------------- text formatting (vectorised)

def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    padded = pc.utf8_lpad(pa.array(numbers, pa.int64()).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), padded, "")


def money(amounts: np.ndarray) -> pa.Array:
    cents = np.rint(np.asarray(amounts) * 100).astype(np.int64)
    whole = pa.array(cents // 100).cast(pa.string())
    fraction = pc.utf8_lpad(pa.array(cents % 100).cast(pa.string()), 2, "0")
    return pc.binary_join_element_wise(whole, fraction, ".")


def timestamps(days: np.ndarray) -> pa.Array:
    seconds = HISTORY_START.astype("datetime64[s]") + np.rint(np.asarray(days) * 86400).astype("timedelta64[s]")
    return pc.strftime(pa.array(seconds), format="%Y-%m-%d %H:%M:%S")


def dates(days: np.ndarray) -> pa.Array:
    return pc.strftime(pa.array(HISTORY_START + np.floor(days).astype("timedelta64[D]")), format="%Y-%m-%d")


def text(values) -> pa.Array:
    return pa.array(np.asarray(values).astype(str), pa.string())


def day_time(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """A time of day between 08:00 and 22:00 on the given (whole) days."""
    return np.floor(days) + rng.uniform(8 / 24, 22 / 24, len(days))


def segmented_cumsum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Running sum of `values` restarting at each segment of the given lengths."""
    total = np.cumsum(values)
    nonempty = counts > 0
    starts = (np.cumsum(counts) - counts)[nonempty]
    return total - np.repeat((total - values)[starts], counts[nonempty])


def segment_positions(counts: np.ndarray) -> np.ndarray:
    """0, 1, ..., n-1 within each segment of the given lengths, concatenated."""
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(counts.sum()) - starts


# ---------------------------------------------------------------- one chunk of customers

@dataclass(frozen=True)
class Offsets:
    """Where a chunk's ids start, so ids are unique across chunks."""

    customer: int
    order: int
    item: int
    event: int
    signal: int


def generate_chunk(chunk_index: int, n_customers: int, offsets: Offsets, catalogue: Catalogue) -> dict[str, pa.Table]:
    rng = np.random.default_rng([SEED, chunk_index])
    customer_number = offsets.customer + np.arange(n_customers) + 1
    customer_id = ids("C", customer_number, 7)

    # Business accounts (sales_team) buy more, spend more and take account-manager time.
    is_business = rng.random(n_customers) < 0.03
    never_orders = rng.random(n_customers) < 0.03
    first_day = rng.uniform(0, HISTORY_DAYS - 14, n_customers)

    # BG/NBD purchase process: rate per week, drop-out after each purchase.
    weekly_rate = rng.gamma(0.5, 1 / 5.0, n_customers) * np.where(is_business, 3.0, 1.0)
    dropout = rng.beta(0.7, 4.5, n_customers)
    purchases = np.where(never_orders, 0, np.minimum(rng.geometric(dropout), 150))
    customer_of_order = np.repeat(np.arange(n_customers), purchases)
    position = segment_positions(purchases)
    gaps_days = rng.exponential(7.0 / weekly_rate[customer_of_order])
    gaps_days[position == 0] = 0.0
    order_day = first_day[customer_of_order] + segmented_cumsum(gaps_days, purchases)
    in_history = order_day <= HISTORY_DAYS
    customer_of_order, order_day = customer_of_order[in_history], day_time(rng, order_day[in_history])
    n_orders = len(order_day)

    # Gamma-Gamma spend: order value ~ Gamma(p, nu), nu ~ Gamma(q, gamma).
    nu = rng.gamma(2.5, 1 / 22.0, n_customers) / np.where(is_business, 4.0, 1.0)
    order_value = rng.gamma(6.0, 1 / nu[customer_of_order])

    # Status: returns are heterogeneous (a tail of serial returners); some cancellations.
    return_rate = np.where(rng.random(n_customers) < 0.12, rng.beta(4, 4, n_customers), rng.beta(0.6, 10, n_customers))
    draw = rng.random(n_orders)
    status = np.where(draw < 0.03, "cancelled",
                      np.where(draw < 0.03 + return_rate[customer_of_order], "returned", "completed"))
    order_number = offsets.order + np.arange(n_orders) + 1
    order_id = ids("O", order_number, 9)

    # Order lines: the order value spread over 1 + Poisson(1.4) lines of catalogue products.
    lines = 1 + rng.poisson(1.4, n_orders)
    order_of_item = np.repeat(np.arange(n_orders), lines)
    product = rng.integers(0, len(catalogue.price), len(order_of_item))
    share = order_value[order_of_item] / lines[order_of_item]
    quantity = np.clip(np.rint(share / catalogue.price[product]), 1, 12).astype(np.int64)
    gross = quantity * catalogue.price[product]
    discounted = rng.random(len(order_of_item)) < 0.15
    discount = np.where(discounted, np.round(gross * rng.uniform(0.05, 0.25, len(gross)), 2), 0.0)
    order_gross = np.bincount(order_of_item, weights=gross, minlength=n_orders)
    shipping_fee = np.where(order_gross < 50, 4.95, 0.0)

    events = generate_service_events(rng, n_customers, is_business, first_day, customer_of_order, order_day, status)
    signals = generate_signals(rng, n_customers, first_day, purchases)

    channel = np.where(is_business, "sales_team", CONSUMER_CHANNELS[rng.integers(0, 5, n_customers)])
    domain = np.where(is_business, "@company.example", "@example.com")
    tables = {
        "customers": {
            "customer_id": customer_id,
            "signup_date": dates(np.maximum(first_day - rng.uniform(0, 60, n_customers), 0)),
            "region": text(REGIONS[rng.integers(0, 5, n_customers)]),
            "acquisition_channel": text(channel),
            "email": pc.binary_join_element_wise(
                pc.utf8_lower(customer_id), text(domain), ""),
        },
        "orders": {
            "order_id": order_id,
            "customer_id": customer_id.take(pa.array(customer_of_order)),
            "ordered_at": timestamps(order_day),
            "status": text(status),
            "shipping_fee": money(shipping_fee),
        },
        "order_items": {
            "order_item_id": ids("I", offsets.item + np.arange(len(order_of_item)) + 1, 10),
            "order_id": order_id.take(pa.array(order_of_item)),
            "product_id": text(catalogue.product_id[product]),
            "product_category": text(catalogue.category[product]),
            "quantity": pa.array(quantity).cast(pa.string()),
            "unit_price": money(catalogue.price[product]),
            "unit_cost": money(catalogue.cost[product]),
            "discount_amount": money(discount),
        },
        "service_events": {
            "event_id": ids("E", offsets.event + np.arange(len(events["customer"])) + 1, 9),
            "customer_id": customer_id.take(pa.array(events["customer"])),
            # events not about an order leave order_id empty
            "order_id": pc.if_else(
                pa.array(events["order"] >= 0),
                order_id.take(pa.array(np.maximum(events["order"], 0))),
                pa.scalar(None, pa.string()),
            ),
            "activity": text(events["activity"]),
            "occurred_at": timestamps(events["day"]),
            "units": pa.array(events["units"]).cast(pa.string()),
        },
        "customer_signals": {
            "signal_id": ids("S", offsets.signal + np.arange(len(signals["customer"])) + 1, 9),
            "customer_id": customer_id.take(pa.array(signals["customer"])),
            "signal_type": text(signals["signal_type"]),
            "occurred_at": timestamps(signals["day"]),
        },
    }
    return {name: pa.table(columns) for name, columns in tables.items()}


def generate_service_events(rng, n_customers, is_business, first_day, customer_of_order, order_day, status) -> dict:
    """Returns handled, support calls, chats and account-manager hours."""
    parts = []

    returned = np.flatnonzero(status == "returned")
    parts.append(dict(
        customer=customer_of_order[returned], order=returned, activity=np.full(len(returned), "return_handling"),
        day=day_time(rng, order_day[returned] + rng.uniform(4, 20, len(returned))), units=np.ones(len(returned)),
    ))

    # Support calls per order: most customers almost never call, a long tail calls a lot.
    calls_per_order = rng.gamma(0.3, 2.6, n_customers)
    calls = rng.poisson(calls_per_order[customer_of_order])
    call_order = np.repeat(np.arange(len(order_day)), calls)
    about_order = rng.random(len(call_order)) < 0.6
    parts.append(dict(
        customer=customer_of_order[call_order], order=np.where(about_order, call_order, -1),
        activity=np.full(len(call_order), "support_call"),
        day=day_time(rng, order_day[call_order] + rng.uniform(0, 10, len(call_order))), units=np.ones(len(call_order)),
    ))

    # Live chat exists from LIVE_CHAT_STARTS on.
    chats_per_order = rng.gamma(0.4, 2.5, n_customers)
    chat_start_day = (LIVE_CHAT_STARTS - HISTORY_START) / np.timedelta64(1, "D")
    chats = np.where(order_day >= chat_start_day, rng.poisson(chats_per_order[customer_of_order]), 0)
    chat_order = np.repeat(np.arange(len(order_day)), chats)
    parts.append(dict(
        customer=customer_of_order[chat_order], order=np.full(len(chat_order), -1),
        activity=np.full(len(chat_order), "live_chat"),
        day=day_time(rng, order_day[chat_order] + rng.uniform(0, 3, len(chat_order))), units=np.ones(len(chat_order)),
    ))

    # Account management: business accounts, monthly hours from their first purchase on.
    business = np.flatnonzero(is_business)
    months = np.maximum(((HISTORY_DAYS - first_day[business]) // 30).astype(np.int64), 0)
    managed = np.repeat(business, months)
    month_index = segment_positions(months)
    parts.append(dict(
        customer=managed, order=np.full(len(managed), -1), activity=np.full(len(managed), "account_management"),
        day=day_time(rng, first_day[managed] + 30 * month_index + rng.uniform(0, 28, len(managed))),
        units=np.round(rng.gamma(2.0, 0.8, len(managed)) * 4) / 4,
    ))

    events = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    keep = events["day"] <= HISTORY_DAYS + 30  # a few events land after the as-of date: valid, not counted yet
    return {key: value[keep] for key, value in events.items()}


def generate_signals(rng, n_customers, first_day, purchases) -> dict:
    """Advocacy concentrated in a minority: ~12% advocates give most signals."""
    is_advocate = rng.random(n_customers) < 0.12
    counts = np.where(purchases > 0, rng.poisson(np.where(is_advocate, 6.0, 0.15)), 0)
    customer = np.repeat(np.arange(n_customers), counts)
    day = rng.uniform(first_day[customer], HISTORY_DAYS)
    signal_type = SIGNAL_TYPES[rng.choice(len(SIGNAL_TYPES), len(customer), p=SIGNAL_WEIGHTS)]
    return dict(customer=customer, signal_type=signal_type, day=day_time(rng, day))


# ---------------------------------------------------------------- deliberately bad rows

def bad_rows(tables: dict[str, pa.Table], chunk_index: int) -> dict[str, list[dict]]:
    """A fixed set of bad rows per chunk, each meant for one rejection reason (spec section 2).

    Ids of new bad rows carry the chunk index so they stay unique across chunks.
    """
    tag = f"{chunk_index:05d}"

    def row(table: str, index: int) -> dict:
        return {name: tables[table].column(name)[index].as_py() for name in TABLE_COLUMNS[table]}

    customer, order, item, event, signal = (row(t, 0) for t in TABLE_COLUMNS)
    orphan_customer = f"CX{tag}"  # never exists
    bad = {t: [] for t in TABLE_COLUMNS}
    add = lambda table, reason, **values: bad[table].append({"__reason": reason, **values})  # noqa: E731

    # customers
    add("customers", "missing_key", **{**customer, "customer_id": ""})
    add("customers", "missing_key", **{**customer, "customer_id": "   "})
    add("customers", "duplicate_key", **row("customers", 1))
    add("customers", "duplicate_key", **row("customers", 2))
    for region in ("north", "south"):
        add("customers", "conflicting_duplicate", **{**customer, "customer_id": f"CD{tag}", "region": region})
    add("customers", "invalid_value", **{**customer, "customer_id": f"CI{tag}A", "signup_date": "2024-13-45"})
    add("customers", "invalid_value", **{**customer, "customer_id": f"CI{tag}B", "signup_date": "03/15/2024"})

    # orders (the invalid ones get items, which are then orphaned: the cascade)
    add("orders", "missing_key", **{**order, "order_id": ""})
    add("orders", "missing_key", **{**order, "order_id": None})
    add("orders", "duplicate_key", **row("orders", 1))
    add("orders", "duplicate_key", **row("orders", 2))
    for fee in ("0.00", "4.95"):
        add("orders", "conflicting_duplicate", **{**order, "order_id": f"OD{tag}", "shipping_fee": fee})
    invalid_orders = {
        f"OI{tag}A": {"ordered_at": "15/03/2024 10:00"},
        f"OI{tag}B": {"status": "shipped"},
        f"OI{tag}C": {"shipping_fee": "-4.95"},
        f"OI{tag}D": {"shipping_fee": "free"},
    }
    for order_id, change in invalid_orders.items():
        add("orders", "invalid_value", **{**order, "order_id": order_id, **change})
        add("order_items", "orphan", **{**item, "order_item_id": f"IC{order_id}", "order_id": order_id})
    add("orders", "orphan", **{**order, "order_id": f"OO{tag}A", "customer_id": orphan_customer})
    add("orders", "orphan", **{**order, "order_id": f"OO{tag}B", "customer_id": orphan_customer})

    # order items
    add("order_items", "missing_key", **{**item, "order_item_id": ""})
    add("order_items", "missing_key", **{**item, "order_item_id": None})
    add("order_items", "duplicate_key", **row("order_items", 1))
    add("order_items", "duplicate_key", **row("order_items", 2))
    for quantity in ("1", "2"):
        add("order_items", "conflicting_duplicate", **{**item, "order_item_id": f"ID{tag}", "quantity": quantity})
    for suffix, change in {"A": {"quantity": "2.5"}, "B": {"quantity": "0"}, "C": {"unit_price": "abc"},
                           "D": {"unit_cost": "-1.00"}, "E": {"discount_amount": "99999.00"}}.items():
        add("order_items", "invalid_value", **{**item, "order_item_id": f"II{tag}{suffix}", **change})
    add("order_items", "orphan", **{**item, "order_item_id": f"IO{tag}A", "order_id": f"OX{tag}"})
    add("order_items", "orphan", **{**item, "order_item_id": f"IO{tag}B", "order_id": f"OX{tag}"})

    # service events
    add("service_events", "missing_key", **{**event, "event_id": ""})
    add("service_events", "missing_key", **{**event, "event_id": " "})
    add("service_events", "duplicate_key", **row("service_events", 1))
    add("service_events", "duplicate_key", **row("service_events", 2))
    for units in ("1", "3"):
        add("service_events", "conflicting_duplicate", **{**event, "event_id": f"ED{tag}", "units": units})
    for suffix, change in {"A": {"activity": "teleport"}, "B": {"units": "two"}, "C": {"occurred_at": "yesterday"}}.items():
        add("service_events", "invalid_value", **{**event, "event_id": f"EI{tag}{suffix}", **change})
    add("service_events", "orphan", **{**event, "event_id": f"EO{tag}A", "order_id": f"OX{tag}"})
    add("service_events", "orphan", **{**event, "event_id": f"EO{tag}B", "customer_id": orphan_customer, "order_id": None})
    for suffix, day in zip("ABCD", ("2023-03-14 11:20:00", "2023-06-02 15:45:00", "2023-09-21 09:05:00", "2023-12-31 18:30:00")):
        add("service_events", "no_rate", **{**event, "event_id": f"EN{tag}{suffix}", "order_id": None,
                                             "activity": "live_chat", "occurred_at": day, "units": "1"})

    # customer signals
    add("customer_signals", "missing_key", **{**signal, "signal_id": ""})
    add("customer_signals", "missing_key", **{**signal, "signal_id": None})
    add("customer_signals", "duplicate_key", **row("customer_signals", 1))
    add("customer_signals", "duplicate_key", **row("customer_signals", 2))
    for signal_type in ("review", "feedback"):
        add("customer_signals", "conflicting_duplicate", **{**signal, "signal_id": f"SD{tag}", "signal_type": signal_type})
    add("customer_signals", "invalid_value", **{**signal, "signal_id": f"SI{tag}A", "signal_type": "rumour"})
    add("customer_signals", "invalid_value", **{**signal, "signal_id": f"SI{tag}B", "occurred_at": "2024-02-30"})
    add("customer_signals", "orphan", **{**signal, "signal_id": f"SO{tag}A", "customer_id": orphan_customer})
    add("customer_signals", "orphan", **{**signal, "signal_id": f"SO{tag}B", "customer_id": orphan_customer})
    return bad


def with_bad_rows(tables: dict[str, pa.Table], bad: dict[str, list[dict]]) -> dict[str, pa.Table]:
    result = {}
    for name, table in tables.items():
        columns = TABLE_COLUMNS[name]
        extra = pa.table({c: pa.array([r[c] for r in bad[name]], pa.string()) for c in columns})
        result[name] = pa.concat_tables([table.select(columns), extra])
    return result


# ---------------------------------------------------------------- writing

class Writers:
    """One streaming writer per table: CSV or Parquet, every column as text."""

    def __init__(self, out_dir: Path, file_format: str, prefix: str):
        out_dir.mkdir(parents=True, exist_ok=True)
        schema = {n: pa.schema([(c, pa.string()) for c in cols]) for n, cols in TABLE_COLUMNS.items()}
        self.writers = {}
        for name in TABLE_COLUMNS:
            path = out_dir / f"{prefix}{name}.{file_format}"
            if file_format == "parquet":
                self.writers[name] = pq.ParquetWriter(path, schema[name], compression="zstd")
            else:
                options = pacsv.WriteOptions(quoting_style="needed")
                self.writers[name] = pacsv.CSVWriter(path, schema[name], write_options=options)

    def write(self, tables: dict[str, pa.Table]) -> None:
        for name, table in tables.items():
            self.writers[name].write_table(table)

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


def progress(done: int, total: int, started: float) -> None:
    width = 30
    filled = int(width * done / total)
    elapsed = time.perf_counter() - started
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} customers  {elapsed:5.1f}s")
    sys.stderr.flush()


def generate(n_customers: int, out_dir: Path, file_format: str, prefix: str, chunk_size: int = CHUNK_CUSTOMERS,
             show_progress: bool = True) -> dict[str, dict[str, int]]:
    """Write all tables; returns row counts and injected bad rows per table and reason."""
    catalogue = Catalogue.build(np.random.default_rng([SEED, 0xCA7]))
    writers = Writers(out_dir, file_format, prefix)
    offsets = Offsets(0, 0, 0, 0, 0)
    summary: dict[str, dict[str, int]] = {name: {"rows": 0} for name in TABLE_COLUMNS}
    started = time.perf_counter()
    try:
        for chunk_index, start in enumerate(range(0, n_customers, chunk_size)):
            size = min(chunk_size, n_customers - start)
            clean = generate_chunk(chunk_index, size, offsets, catalogue)
            bad = bad_rows(clean, chunk_index)
            tables = with_bad_rows(clean, bad)
            writers.write(tables)
            for name in TABLE_COLUMNS:
                summary[name]["rows"] += tables[name].num_rows
                for r in bad[name]:
                    summary[name][r["__reason"]] = summary[name].get(r["__reason"], 0) + 1
            offsets = Offsets(
                offsets.customer + size,
                offsets.order + clean["orders"].num_rows,
                offsets.item + clean["order_items"].num_rows,
                offsets.event + clean["service_events"].num_rows,
                offsets.signal + clean["customer_signals"].num_rows,
            )
            if show_progress:
                progress(start + size, n_customers, started)
    finally:
        writers.close()
        if show_progress:
            sys.stderr.write("\n")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=None,
                        help=f"number of customers; without it, the demo seeds ({DEMO_CUSTOMERS} customers)")
    parser.add_argument("--format", choices=["csv", "parquet"], default=None)
    parser.add_argument("--out", type=Path, default=None, help="output folder (files named <table>.<format>)")
    args = parser.parse_args()

    demo = args.customers is None and args.out is None
    if demo:
        out_dir, file_format, prefix, customers = Path(__file__).resolve().parents[1] / "seeds" / "raw", "csv", "raw_", DEMO_CUSTOMERS
    else:
        if args.out is None:
            parser.error("--out is required with --customers")
        out_dir, file_format, prefix = args.out, args.format or "parquet", ""
        customers = args.customers or DEMO_CUSTOMERS

    summary = generate(customers, out_dir, file_format, prefix)
    for name, counts in summary.items():
        injected = ", ".join(f"{reason} {n}" for reason, n in counts.items() if reason != "rows")
        print(f"{prefix}{name}: {counts['rows']:,} rows (bad rows injected: {injected})")


if __name__ == "__main__":
    main()
