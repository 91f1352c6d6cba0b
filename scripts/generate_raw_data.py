"""Generate the demo raw exports, and large synthetic ones for benchmarks.

How the synthetic customer base behaves (every later result is read off it):

* Acquisition: customers are acquired evenly over the history (2023-01-01 to 2025-09-30). Each
  signs up and makes a first purchase a few days later; a few never order.
* Purchase timing follows the BG/NBD process (Fader, Hardie & Lee 2005, "Counting your
  customers the easy way: an alternative to the Pareto/NBD model", Marketing Science 24(2)):
  from the first purchase on, an active customer buys at a Poisson rate
  lambda ~ Gamma(shape r, rate alpha) per week, and after every repeat purchase drops out for
  good with probability p ~ Beta(a, b). As in the model, the first purchase is not a drop-out
  opportunity (the convention of tests/python/clv_samples.py too).
* Spend per order follows the Gamma-Gamma model (Fader, Hardie & Lee 2005, "RFM and CLV: using
  iso-value curves for customer base analysis", Journal of Marketing Research 42(4); Fader &
  Hardie 2013, "The Gamma-Gamma model of monetary value"): order value ~ Gamma(shape p, rate nu)
  with the customer's nu ~ Gamma(shape q, rate gamma), so spend varies between customers and is
  stable within one. Each order's value is split over its lines and each line filled with a
  catalogue product priced near its budget, so order totals follow the drawn values closely.
* Gross margins differ by category (electronics thin, beauty and accessories fat); a minority of
  deal seekers buy mostly on discount; orders under 50 pay a shipping fee.
* Cost to serve has long tails: return propensity (a segment of serial returners, who also
  order more), support calls and live chats per order (a high-maintenance segment calls about
  five times per order, most customers never call), and monthly account-manager hours for the
  business accounts (acquisition channel sales_team, e-mail at company.example): loyal, big
  buyers, but the hours follow a long-tailed law unrelated to their value, so a few are the
  best customers and many are over-served. Those tails bend the whale curve: Kaplan &
  Narayanan (2001, "Measuring and managing customer profitability", Journal of Cost Management
  15(5)) observe that the most profitable 20% of customers typically earn 150-300% of total
  profit, the unprofitable tail giving the excess away. The demo build's whale_curve and
  customer_value show those figures (tests/python/test_generate_raw_data.py checks them).
* Advocacy signals (referrals, reviews, social mentions, feedback) come mostly from a minority
  of advocates (about 12% of the customers who order).
* Credit notes: about 4% of the completed orders are refunded in part or whole 3 to 40 days
  later by a credit note (an order with status refunded and negative quantities), so revenue is
  net of refunds (docs/rules.md, credit notes).

Bad rows: every block of BAD_ROW_BLOCK customers receives the deliberately bad rows listed in
BAD_ROWS (about 50, every rejection reason of docs/rules.md section 2 at least twice), so the share of
bad rows is the same in the demo seeds and in large exports. They are scattered among the
clean rows. A few clean rows per block are written in valid but untidy forms (VALID_VARIANTS:
capitalised status, a date without time, empty optional values) that staging must normalise,
not reject. Every other row is valid.

Usage:
    python scripts/generate_raw_data.py              # demo seeds: seeds/raw/raw_<table>.csv
    python scripts/generate_raw_data.py --customers 1000000 --format parquet --out DIR
                                                     # DIR/<table>.parquet (or .csv)

Output is deterministic: the same arguments give byte-identical files. Generation is
vectorised with NumPy, one chunk of CHUNK_CUSTOMERS customers at a time, streamed to disk, so
memory stays bounded whatever the size. The demo seeds are the same code path (2,000
customers, CSV, raw_ prefix).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEMO_DIR = PROJECT_DIR / "seeds" / "raw"
DEMO_PREFIX = "raw_"
DEMO_CUSTOMERS = 2_000
CHUNK_CUSTOMERS = 50_000
BAD_ROW_BLOCK = 2_000  # one set of BAD_ROWS per this many customers
MIN_CUSTOMERS = 100  # a chunk needs rows to copy into bad rows

SEED = 20261123
HISTORY_START = np.datetime64("2023-01-01")
HISTORY_END = np.datetime64("2025-09-30")
HISTORY_DAYS = int((HISTORY_END - HISTORY_START) / np.timedelta64(1, "D")) + 1  # day numbers 0 .. 1002
LIVE_CHAT_DAY = int((np.datetime64("2024-01-01") - HISTORY_START) / np.timedelta64(1, "D"))  # its rate starts
DAYS_PER_WEEK = 7.0

CONTRACT_MACRO = PROJECT_DIR / "macros" / "raw_files" / "raw_table_contracts.sql"


class _Returned(Exception):
    """How the rendered macro hands back its value, as dbt's `return` does."""


def raw_contract() -> dict[str, dict]:
    """The raw input contract as macro raw_table_contracts declares it (the one place): per
    table its key, columns, required and pii columns. The macro is plain data, so it is rendered
    here with Jinja alone."""

    def give_back(value):
        raise _Returned(value)

    environment = jinja2.Environment(extensions=["jinja2.ext.do"])
    environment.globals["return"] = give_back
    macros = environment.from_string(CONTRACT_MACRO.read_text(encoding="utf-8")).module
    try:
        macros.raw_table_contracts()
    except _Returned as returned:
        return returned.args[0]
    raise RuntimeError(f"{CONTRACT_MACRO}: raw_table_contracts returned nothing")


def raw_table_columns() -> dict[str, list[str]]:
    """Each raw table's columns in export order, key first."""
    return {table: [contract["key"], *contract["columns"]] for table, contract in raw_contract().items()}


TABLE_COLUMNS = raw_table_columns()
# Clean ids are one letter and digits (C0000001); the keys made up for bad rows have two letters.
ID_FORMATS = {  # table -> (letter, digits)
    "customers": ("C", 7),
    "orders": ("O", 9),
    "order_items": ("I", 10),
    "service_events": ("E", 9),
    "customer_signals": ("S", 9),
}


@dataclass(frozen=True)
class Behaviour:
    """Parameters of the synthetic customer base: Gamma laws as (shape, rate) like the papers,
    Beta laws as (a, b), purchase rates per week. Tuned so that, with the demo rate card, about
    a fifth of the ordering customers are unprofitable and the best 20% earn about twice the
    total margin (expected values; one draw of 2,000 customers varies around them)."""

    never_orders_share: float = 0.03
    signup_to_first_order_days: float = 10.0  # mean of an exponential wait
    # Consumers: the BG/NBD purchase process
    purchase_r: float = 0.5
    purchase_alpha: float = 2.2  # mean rate r / alpha = 0.23 orders a week
    dropout_a: float = 0.8
    dropout_b: float = 4.0  # mean drop-out probability 0.17
    max_purchases: int = 250  # memory guard; binds for a negligible share of customers
    # Business accounts: steadier and loyal, bigger orders, an account manager
    business_share: float = 0.035
    business_weekly_rate: tuple[float, float] = (2.0, 2.5)  # mean 0.8 orders a week
    business_dropout: tuple[float, float] = (1.0, 40.0)  # mean 0.024
    business_spend_factor: float = 5.0
    account_hours_per_month: tuple[float, float] = (0.75, 0.136)  # mean 5.5 h, long tail
    account_kept_days: float = 90.0  # account management goes on this long after the last order
    # Gamma-Gamma spend per order: mean p * gamma / (q - 1) = 104
    spend_p: float = 6.0
    spend_q: float = 2.5
    spend_gamma: float = 26.0
    extra_lines_mean: float = 1.5  # lines per order = 1 + Poisson(this)
    line_price_window: tuple[float, float] = (0.125, 1.25)  # a line's product price / its budget
    max_quantity: int = 20
    deal_seeker_share: float = 0.10
    deal_seeker_discounted_lines: tuple[float, float] = (6.0, 3.0)  # Beta: mean 67% of lines
    usual_discounted_lines: tuple[float, float] = (1.0, 12.0)  # Beta: mean 8% of lines
    discount_rate_range: tuple[float, float] = (0.05, 0.30)
    shipping_fee: float = 4.95
    free_shipping_from: float = 50.0
    # Order status: a few cancellations; returns heterogeneous, with serial returners
    cancelled_share: float = 0.03
    usual_return_rate: tuple[float, float] = (0.6, 12.0)  # Beta: mean 5%
    serial_returner_share: float = 0.06
    serial_return_rate: tuple[float, float] = (4.0, 3.0)  # Beta: mean 57%
    serial_returner_rate_factor: float = 2.5  # they order more often (bracketing)
    # Credit notes: a share of completed orders is partly or wholly refunded 3-40 days later
    refund_share: float = 0.04
    refunded_line_share: float = 0.6  # each line of the order is in the credit note with this chance
    # Service per order: most customers rarely call or chat, a high-maintenance segment a lot
    usual_calls_per_order: tuple[float, float] = (0.3, 1.5)  # mean 0.2
    usual_chats_per_order: tuple[float, float] = (0.3, 1.0)  # mean 0.3 (live chat from 2024)
    high_maintenance_share: float = 0.06
    high_maintenance_calls_per_order: tuple[float, float] = (4.0, 0.8)  # mean 5
    high_maintenance_chats_per_order: tuple[float, float] = (4.0, 2.0)  # mean 2
    high_maintenance_rate_factor: float = 2.0  # and they order more often
    call_about_order_share: float = 0.6  # the other calls leave order_id empty
    events_after_history_days: int = 30  # calls and returns after the last order date are kept
    # Advocacy: a minority of advocates give most signals
    advocate_share: float = 0.12
    signals_per_advocate: float = 6.0
    signals_per_other: float = 0.15


BEHAVIOUR = Behaviour()

# Product catalogue: category -> ((lowest, highest price), gross margin rate).
CATEGORIES = {
    "electronics": ((60.0, 400.0), 0.10),
    "home": ((15.0, 150.0), 0.28),
    "apparel": ((12.0, 90.0), 0.40),
    "beauty": ((6.0, 60.0), 0.52),
    "books": ((6.0, 40.0), 0.22),
    "accessories": ((5.0, 50.0), 0.55),
}
PRODUCTS_PER_CATEGORY = 25
REGIONS = np.array(["north", "south", "east", "west", "central"])
CONSUMER_CHANNELS = np.array(["paid_search", "organic", "social", "referral", "email"])
SIGNAL_TYPES = np.array(["review", "social_mention", "feedback", "referral"])
SIGNAL_WEIGHTS = np.array([0.45, 0.30, 0.15, 0.10])


# ---------------------------------------------------------------- deliberately bad rows

@dataclass(frozen=True)
class BadRow:
    """One bad row per block: a random clean row of `table` with `changes` applied ('{tag}' in
    a value becomes the block's number, keeping made-up keys unique), or an exact copy of it."""

    table: str
    # the rejection reason staging must give it (docs/rules.md section 2), or nulled_value: an optional
    # value that does not cast, nulled with the row staged (docs/rules.md, section 13)
    reason: str
    detail: str
    changes: dict[str, str | None] = field(default_factory=dict)
    exact_copy: bool = False


def bad_rows_of(table: str, *rows: tuple) -> tuple[BadRow, ...]:
    return tuple(BadRow(table, *row) for row in rows)


def live_chats_in_2023() -> tuple[tuple, ...]:
    """Live chats before the rate card has a live_chat rate (it starts on 2024-01-01)."""
    days = ("2023-03-14 11:20:00", "2023-06-02 15:45:00", "2023-09-21 09:05:00", "2023-12-31 18:30:00")
    return tuple(
        ("no_rate", f"live_chat on {day[:10]}", {"event_id": f"EN{{tag}}{suffix}", "order_id": None,
                                                  "activity": "live_chat", "occurred_at": day, "units": "1"})
        for suffix, day in zip("ABCD", days, strict=True)
    )


BAD_ROWS: tuple[BadRow, ...] = (
    *bad_rows_of(
        "customers",
        ("missing_key", "customer_id empty", {"customer_id": ""}),
        ("duplicate_key", "exact copy of a customer", {}, True),
        ("conflicting_duplicate", "key CD.. twice: region north", {"customer_id": "CD{tag}", "region": "north"}),
        ("conflicting_duplicate", "key CD.. twice: region south", {"customer_id": "CD{tag}", "region": "south"}),
        ("nulled_value", "signup_date 2024-13-45", {"customer_id": "CI{tag}A", "signup_date": "2024-13-45"}),
        ("nulled_value", "signup_date 03/15/2024", {"customer_id": "CI{tag}B", "signup_date": "03/15/2024"}),
    ),
    *bad_rows_of(  # OI..A and OI..E have items: the cascade rejects them as orphans
        "orders",
        ("missing_key", "order_id null", {"order_id": None}),
        ("duplicate_key", "exact copy of an order", {}, True),
        ("conflicting_duplicate", "key OD.. twice: shipping 0.00", {"order_id": "OD{tag}", "shipping_fee": "0.00"}),
        ("conflicting_duplicate", "key OD.. twice: shipping 4.95", {"order_id": "OD{tag}", "shipping_fee": "4.95"}),
        ("invalid_value", "status shipped", {"order_id": "OI{tag}A", "status": "shipped"}),
        ("invalid_value", "ordered_at 15/03/2024 10:00", {"order_id": "OI{tag}B", "ordered_at": "15/03/2024 10:00"}),
        ("invalid_value", "shipping_fee -4.95", {"order_id": "OI{tag}C", "shipping_fee": "-4.95"}),
        ("nulled_value", "shipping_fee free", {"order_id": "OI{tag}D", "shipping_fee": "free"}),
        ("invalid_value", "status empty (required)", {"order_id": "OI{tag}E", "status": ""}),
        ("orphan", "unknown customer CX..", {"order_id": "OO{tag}", "customer_id": "CX{tag}"}),
        ("no_customer", "guest sale: customer_id empty", {"order_id": "OG{tag}", "customer_id": ""}),
    ),
    *bad_rows_of(
        "order_items",
        ("missing_key", "order_item_id blank", {"order_item_id": "  "}),
        ("duplicate_key", "exact copy of an order line", {}, True),
        ("conflicting_duplicate", "key ID.. twice: quantity 1", {"order_item_id": "ID{tag}", "quantity": "1"}),
        ("conflicting_duplicate", "key ID.. twice: quantity 2", {"order_item_id": "ID{tag}", "quantity": "2"}),
        ("invalid_value", "quantity 2.5", {"order_item_id": "II{tag}A", "quantity": "2.5"}),
        ("invalid_value", "quantity 0", {"order_item_id": "II{tag}B", "quantity": "0"}),
        ("invalid_value", "unit_price abc", {"order_item_id": "II{tag}C", "unit_price": "abc"}),
        ("invalid_value", "unit_price -5.00", {"order_item_id": "II{tag}D", "unit_price": "-5.00"}),
        ("invalid_value", "discount above quantity x unit_price",
         {"order_item_id": "II{tag}E", "discount_amount": "99999.00"}),
        ("invalid_value", "product_id empty (required)", {"order_item_id": "II{tag}F", "product_id": ""}),
        ("orphan", "unknown order OX..", {"order_item_id": "IO{tag}", "order_id": "OX{tag}"}),
        ("orphan", "cascade: its order OI..A is invalid", {"order_item_id": "IC{tag}A", "order_id": "OI{tag}A"}),
        ("orphan", "cascade: its order OI..E is invalid", {"order_item_id": "IC{tag}E", "order_id": "OI{tag}E"}),
        ("no_customer", "a line of the guest sale OG..", {"order_item_id": "IG{tag}", "order_id": "OG{tag}"}),
    ),
    *bad_rows_of(
        "service_events",
        ("missing_key", "event_id empty", {"event_id": ""}),
        ("duplicate_key", "exact copy of an event", {}, True),
        ("conflicting_duplicate", "key ED.. twice: units 1", {"event_id": "ED{tag}", "units": "1"}),
        ("conflicting_duplicate", "key ED.. twice: units 3", {"event_id": "ED{tag}", "units": "3"}),
        ("invalid_value", "activity teleport", {"event_id": "EI{tag}A", "activity": "teleport"}),
        ("invalid_value", "units two", {"event_id": "EI{tag}B", "units": "two"}),
        ("invalid_value", "occurred_at yesterday", {"event_id": "EI{tag}C", "occurred_at": "yesterday"}),
        ("orphan", "unknown order OX..", {"event_id": "EO{tag}A", "order_id": "OX{tag}"}),
        ("orphan", "unknown customer CX..", {"event_id": "EO{tag}B", "customer_id": "CX{tag}", "order_id": None}),
        *live_chats_in_2023(),
    ),
    *bad_rows_of(
        "customer_signals",
        ("missing_key", "signal_id null", {"signal_id": None}),
        ("duplicate_key", "exact copy of a signal", {}, True),
        ("conflicting_duplicate", "key SD.. twice: review", {"signal_id": "SD{tag}", "signal_type": "review"}),
        ("conflicting_duplicate", "key SD.. twice: feedback", {"signal_id": "SD{tag}", "signal_type": "feedback"}),
        ("invalid_value", "signal_type rumour", {"signal_id": "SI{tag}A", "signal_type": "rumour"}),
        ("invalid_value", "occurred_at 2024-02-30", {"signal_id": "SI{tag}B", "occurred_at": "2024-02-30"}),
        ("orphan", "unknown customer CX..", {"signal_id": "SO{tag}", "customer_id": "CX{tag}"}),
    ),
)


@dataclass(frozen=True)
class ValidVariant:
    """A clean row written in a valid but untidy form, which staging must normalise, not reject:
    `column` of one row per block (a row holding `only_if`, when given) becomes `rewrite(value)`."""

    table: str
    column: str
    detail: str
    rewrite: Callable[[str], str | None]
    only_if: str | None = None


VALID_VARIANTS: tuple[ValidVariant, ...] = (
    ValidVariant("customers", "signup_date", "signup_date empty (optional)", lambda value: None),
    ValidVariant("customers", "region", "region empty (optional)", lambda value: ""),
    ValidVariant("orders", "status", "status capitalised", str.capitalize),
    ValidVariant("orders", "ordered_at", "ordered_at as a date (midnight)", lambda value: value[:10]),
    ValidVariant("orders", "shipping_fee", "shipping_fee empty (means 0)", lambda value: "", only_if="0.00"),
    ValidVariant("order_items", "discount_amount", "discount_amount empty (means 0)", lambda value: None,
                 only_if="0.00"),
    ValidVariant("order_items", "product_category", "product_category empty (optional)", lambda value: ""),
    ValidVariant("service_events", "activity", "activity with capitals and spaces", lambda value: " Support_Call ",
                 only_if="support_call"),
    ValidVariant("customer_signals", "signal_type", "signal_type upper-case", str.upper),
)


# ---------------------------------------------------------------- array helpers

def segment_positions(counts: np.ndarray) -> np.ndarray:
    """0, 1, ..., n-1 within each segment of the given lengths, concatenated."""
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(counts.sum()) - starts


def segmented_cumsum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Running sum of `values` restarting at each segment of the given lengths."""
    total = np.cumsum(values)
    starts = (np.cumsum(counts) - counts)[counts > 0]
    return total - np.repeat(total[starts] - values[starts], counts[counts > 0])


def gamma(rng: np.random.Generator, shape_rate: tuple[float, float], size: int) -> np.ndarray:
    shape, rate = shape_rate
    return rng.gamma(shape, 1.0 / rate, size)


def beta(rng: np.random.Generator, a_b: tuple[float, float], size: int) -> np.ndarray:
    return rng.beta(*a_b, size)


def during_the_day(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """A time between 08:00 and 22:00 on the day of each (fractional) day number."""
    return np.floor(days) + rng.uniform(8 / 24, 22 / 24, len(days))


# ---------------------------------------------------------------- text formatting (vectorised)

def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    padded = pc.utf8_lpad(pa.array(numbers, pa.int64()).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), padded, "")


def money(amounts: np.ndarray) -> pa.Array:
    """Amounts with 2 decimals: 4.95, 0.00."""
    cents = np.rint(np.asarray(amounts) * 100).astype(np.int64)
    whole = pa.array(cents // 100).cast(pa.string())
    fraction = pc.utf8_lpad(pa.array(cents % 100).cast(pa.string()), 2, "0")
    return pc.binary_join_element_wise(whole, fraction, ".")


def timestamps(days: np.ndarray) -> pa.Array:
    """Fractional day numbers as 'YYYY-MM-DD HH:MM:SS' (Arrow casts timestamps to ISO text)."""
    seconds = HISTORY_START.astype("datetime64[s]") + np.rint(np.asarray(days) * 86400).astype("timedelta64[s]")
    return pa.array(seconds).cast(pa.string())


def dates(days: np.ndarray) -> pa.Array:
    """Fractional day numbers as 'YYYY-MM-DD'."""
    return pa.array(HISTORY_START + np.floor(days).astype("timedelta64[D]")).cast(pa.string())


def text(values: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(values).astype(str), pa.string())


def labels(names: np.ndarray, index: np.ndarray) -> pa.Array:
    """names[index] as text, without building a NumPy array of strings."""
    return pa.array(names, pa.string()).take(pa.array(index))


def numbers(values: np.ndarray) -> pa.Array:
    """Whole numbers as 1, 2; quarter hours as 0.25, 1.5."""
    return pa.array(values).cast(pa.string())


# ---------------------------------------------------------------- the product catalogue

@dataclass(frozen=True)
class Catalogue:
    """Products sorted by price, so a line's budget finds products priced near it."""

    product_id: np.ndarray
    category: np.ndarray
    price: np.ndarray
    cost: np.ndarray

    @classmethod
    def build(cls, rng: np.random.Generator) -> Catalogue:
        product_ids, categories, prices, costs = [], [], [], []
        for index, (category, ((low, high), margin)) in enumerate(CATEGORIES.items()):
            price = np.round(np.exp(rng.uniform(np.log(low), np.log(high), PRODUCTS_PER_CATEGORY)), 2)
            product_margin = np.clip(rng.normal(margin, 0.05, PRODUCTS_PER_CATEGORY), 0.03, 0.85)
            product_ids += [f"P{index + 1}{n:03d}" for n in range(PRODUCTS_PER_CATEGORY)]
            categories += [category] * PRODUCTS_PER_CATEGORY
            prices.append(price)
            costs.append(np.round(price * (1 - product_margin), 2))
        price = np.concatenate(prices)
        by_price = np.argsort(price, kind="stable")
        return cls(np.array(product_ids)[by_price], np.array(categories)[by_price], price[by_price],
                   np.concatenate(costs)[by_price])

    def products_near(self, rng: np.random.Generator, budget: np.ndarray, window: tuple[float, float]) -> np.ndarray:
        """A random product priced within window x budget (the nearest product when none is)."""
        low = np.minimum(np.searchsorted(self.price, budget * window[0]), len(self.price) - 1)
        high = np.clip(np.searchsorted(self.price, budget * window[1], side="right"), low + 1, len(self.price))
        return low + (rng.random(len(budget)) * (high - low)).astype(np.int64)


# ---------------------------------------------------------------- one chunk of customers

@dataclass(frozen=True)
class Customers:
    """Per-customer traits of a chunk (arrays of the chunk's length)."""

    is_business: np.ndarray
    never_orders: np.ndarray
    signup_day: np.ndarray
    first_order_day: np.ndarray
    weekly_rate: np.ndarray  # lambda of the BG/NBD model
    dropout: np.ndarray  # p of the BG/NBD model
    spend_rate: np.ndarray  # nu of the Gamma-Gamma model
    return_rate: np.ndarray
    discounted_lines: np.ndarray
    calls_per_order: np.ndarray
    chats_per_order: np.ndarray
    is_advocate: np.ndarray


@dataclass(frozen=True)
class Orders:
    """Orders of a chunk, sorted by customer and time: customer index, fractional day number,
    drawn value, status."""

    customer: np.ndarray
    day: np.ndarray
    value: np.ndarray
    status: np.ndarray


def draw_customers(rng: np.random.Generator, n: int, b: Behaviour) -> Customers:
    is_business = rng.random(n) < b.business_share
    signup_day = rng.uniform(0, HISTORY_DAYS - 14, n)
    is_serial_returner = rng.random(n) < b.serial_returner_share
    is_deal_seeker = rng.random(n) < b.deal_seeker_share
    is_high_maintenance = rng.random(n) < b.high_maintenance_share
    never_orders = (rng.random(n) < b.never_orders_share) & ~is_business
    first_order_day = signup_day + rng.exponential(b.signup_to_first_order_days, n)
    weekly_rate = (
        np.where(is_business, gamma(rng, b.business_weekly_rate, n), rng.gamma(b.purchase_r, 1 / b.purchase_alpha, n))
        * np.where(is_serial_returner, b.serial_returner_rate_factor, 1.0)
        * np.where(is_high_maintenance, b.high_maintenance_rate_factor, 1.0)
    )
    dropout = np.where(is_business, beta(rng, b.business_dropout, n), rng.beta(b.dropout_a, b.dropout_b, n))
    spend_rate = rng.gamma(b.spend_q, 1 / b.spend_gamma, n) / np.where(is_business, b.business_spend_factor, 1)
    return Customers(
        is_business=is_business,
        never_orders=never_orders,
        signup_day=signup_day,
        first_order_day=first_order_day,
        weekly_rate=weekly_rate,
        dropout=dropout,
        spend_rate=spend_rate,
        return_rate=np.where(is_serial_returner, beta(rng, b.serial_return_rate, n),
                             beta(rng, b.usual_return_rate, n)),
        discounted_lines=np.where(is_deal_seeker, beta(rng, b.deal_seeker_discounted_lines, n),
                                  beta(rng, b.usual_discounted_lines, n)),
        calls_per_order=np.where(is_high_maintenance, gamma(rng, b.high_maintenance_calls_per_order, n),
                                 gamma(rng, b.usual_calls_per_order, n)),
        chats_per_order=np.where(is_high_maintenance, gamma(rng, b.high_maintenance_chats_per_order, n),
                                 gamma(rng, b.usual_chats_per_order, n)),
        is_advocate=rng.random(n) < b.advocate_share,
    )


def draw_orders(rng: np.random.Generator, c: Customers, b: Behaviour) -> Orders:
    """BG/NBD timing from the first order on, Gamma-Gamma values, heterogeneous returns."""
    n = len(c.weekly_rate)
    # Purchases until drop-out, were the history endless: the first, then 1 + Geometric(p) - 1 repeats.
    possible = np.where(c.never_orders, 0, np.minimum(1 + rng.geometric(c.dropout), b.max_purchases))
    customer = np.repeat(np.arange(n), possible)
    gap_days = rng.exponential(DAYS_PER_WEEK / c.weekly_rate[customer])
    gap_days[segment_positions(possible) == 0] = 0.0
    day = c.first_order_day[customer] + segmented_cumsum(gap_days, possible)
    in_history = day < HISTORY_DAYS
    customer, day = customer[in_history], during_the_day(rng, day[in_history])

    value = rng.gamma(b.spend_p, 1 / c.spend_rate[customer])
    draw = rng.random(len(customer))
    status = np.where(draw < b.cancelled_share, "cancelled",
                      np.where(draw < b.cancelled_share + c.return_rate[customer], "returned", "completed"))
    return Orders(customer, day, value, status)


def draw_order_lines(rng: np.random.Generator, c: Customers, orders: Orders, catalogue: Catalogue,
                     b: Behaviour) -> dict[str, np.ndarray]:
    """Split each order's value over 1 + Poisson lines; fill each with a product near its budget."""
    n_orders = len(orders.value)
    lines = 1 + rng.poisson(b.extra_lines_mean, n_orders)
    order = np.repeat(np.arange(n_orders), lines)
    weight = rng.exponential(1.0, len(order))
    budget = orders.value[order] * weight / np.bincount(order, weights=weight, minlength=n_orders)[order]
    product = catalogue.products_near(rng, budget, b.line_price_window)
    quantity = np.clip(np.rint(budget / catalogue.price[product]), 1, b.max_quantity).astype(np.int64)
    gross = quantity * catalogue.price[product]
    discounted = rng.random(len(order)) < c.discounted_lines[orders.customer[order]]
    discount = np.where(discounted, np.round(gross * rng.uniform(*b.discount_rate_range, len(order)), 2), 0.0)
    order_gross = np.bincount(order, weights=gross, minlength=n_orders)
    shipping_fee = np.where(order_gross < b.free_shipping_from, b.shipping_fee, 0.0)
    return dict(order=order, product=product, quantity=quantity, discount=discount, shipping_fee=shipping_fee)


def draw_credit_notes(rng: np.random.Generator, orders: Orders, lines: dict[str, np.ndarray],
                      b: Behaviour) -> dict[str, np.ndarray]:
    """Credit notes (status refunded) on a share of the completed orders, 3-40 days later, inside
    the history: each refunds some of its order's lines (at least one; all of them makes it a
    whole refund), some of each line's units, written as negative quantities as exports do.
    Returns the refunded order (index), the note's day, and per note line: its note (index into
    the notes), the order line it refunds and the units refunded (negative)."""
    completed = np.flatnonzero(orders.status == "completed")
    refunded = completed[rng.random(len(completed)) < b.refund_share]
    day = orders.day[refunded] + rng.uniform(3, 40, len(refunded))
    inside = day < HISTORY_DAYS
    refunded, day = refunded[inside], during_the_day(rng, day[inside])
    candidate = np.flatnonzero(np.isin(lines["order"], refunded))
    note = np.searchsorted(refunded, lines["order"][candidate])
    included = rng.random(len(candidate)) < b.refunded_line_share
    _, first = np.unique(note, return_index=True)
    has_line = np.bincount(note[included], minlength=len(refunded)) > 0
    included[first[~has_line[note[first]]]] = True
    line = candidate[included]
    quantity = -rng.integers(1, lines["quantity"][line] + 1)
    return dict(order=refunded, day=day, note=note[included], line=line, quantity=quantity)


def last_order_day(orders: Orders, n_customers: int) -> np.ndarray:
    """Day of each customer's last order (orders are sorted by customer and day); -1 without."""
    counts = np.bincount(orders.customer, minlength=n_customers)
    last = np.full(n_customers, -1.0)
    last[counts > 0] = orders.day[np.cumsum(counts)[counts > 0] - 1]
    return last


def events_of(activity: str, customer: np.ndarray, order: np.ndarray, day: np.ndarray,
              units: np.ndarray) -> dict[str, np.ndarray]:
    return dict(customer=customer, order=order, activity=np.full(len(customer), activity), day=day, units=units)


def draw_service_events(rng: np.random.Generator, c: Customers, orders: Orders, b: Behaviour) -> dict[str, np.ndarray]:
    """Returns handled, support calls, live chats (from 2024) and account-manager hours.
    `order` is the order's index in the chunk, -1 for an event not about an order."""
    n_orders, n_customers = len(orders.day), len(c.is_business)
    returned = np.flatnonzero(orders.status == "returned")
    calls = np.repeat(np.arange(n_orders), rng.poisson(c.calls_per_order[orders.customer]))
    chat_counts = np.where(orders.day >= LIVE_CHAT_DAY, rng.poisson(c.chats_per_order[orders.customer]), 0)
    chats = np.repeat(np.arange(n_orders), chat_counts)
    about_order = rng.random(len(calls)) < b.call_about_order_share

    # Business accounts are managed monthly from their first order until a while after their last.
    managed = np.flatnonzero(np.bincount(orders.customer, minlength=n_customers) * c.is_business)
    managed_until = np.minimum(last_order_day(orders, n_customers)[managed] + b.account_kept_days, HISTORY_DAYS)
    months = np.maximum((managed_until - c.first_order_day[managed]) // 30, 0).astype(np.int64)
    managed_customer = np.repeat(managed, months)
    month_start = c.first_order_day[managed_customer] + 30 * segment_positions(months)
    one = np.ones

    parts = [
        events_of("return_handling", orders.customer[returned], returned,
                  during_the_day(rng, orders.day[returned] + rng.uniform(4, 20, len(returned))),
                  one(len(returned), np.int64)),
        events_of("support_call", orders.customer[calls], np.where(about_order, calls, -1),
                  during_the_day(rng, orders.day[calls] + rng.uniform(0, 10, len(calls))),
                  one(len(calls), np.int64)),
        events_of("live_chat", orders.customer[chats], np.full(len(chats), -1),
                  during_the_day(rng, orders.day[chats] + rng.uniform(0, 3, len(chats))),
                  one(len(chats), np.int64)),
        events_of("account_management", managed_customer, np.full(len(managed_customer), -1),
                  during_the_day(rng, month_start + rng.uniform(0, 28, len(managed_customer))),
                  np.maximum(np.round(gamma(rng, b.account_hours_per_month, len(managed_customer)) * 4) / 4, 0.25)),
    ]
    events = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    # Events of the last weeks may fall after the last order date: valid, just not counted yet.
    keep = events["day"] < HISTORY_DAYS + b.events_after_history_days
    return {key: value[keep] for key, value in events.items()}


def draw_signals(rng: np.random.Generator, c: Customers, orders: Orders, b: Behaviour) -> dict[str, np.ndarray]:
    """Advocacy from customers who ordered, concentrated in the advocates."""
    has_ordered = np.bincount(orders.customer, minlength=len(c.is_advocate)) > 0
    mean = np.where(c.is_advocate, b.signals_per_advocate, b.signals_per_other)
    counts = np.where(has_ordered, rng.poisson(mean), 0)
    customer = np.repeat(np.arange(len(counts)), counts)
    first_day = np.minimum(c.first_order_day[customer], HISTORY_DAYS - 1)
    day = during_the_day(rng, rng.uniform(first_day, HISTORY_DAYS))
    signal_type = SIGNAL_TYPES[rng.choice(len(SIGNAL_TYPES), len(customer), p=SIGNAL_WEIGHTS)]
    return dict(customer=customer, signal_type=signal_type, day=day)


@dataclass(frozen=True)
class Offsets:
    """Where a chunk's ids and bad-row blocks start, so they are unique across chunks."""

    customers: int = 0
    orders: int = 0
    order_items: int = 0
    service_events: int = 0
    customer_signals: int = 0
    blocks: int = 0

    def after(self, tables: dict[str, pa.Table], blocks: int) -> Offsets:
        return Offsets(**{name: getattr(self, name) + tables[name].num_rows for name in TABLE_COLUMNS},
                       blocks=self.blocks + blocks)


def table_ids(table: str, offsets: Offsets, count: int) -> pa.Array:
    letter, width = ID_FORMATS[table]
    return ids(letter, getattr(offsets, table) + np.arange(count) + 1, width)


def generate_clean_chunk(rng: np.random.Generator, n: int, offsets: Offsets, catalogue: Catalogue,
                         b: Behaviour = BEHAVIOUR) -> dict[str, pa.Table]:
    """The clean rows of one chunk of `n` customers, every column as text."""
    c = draw_customers(rng, n, b)
    orders = draw_orders(rng, c, b)
    lines = draw_order_lines(rng, c, orders, catalogue, b)
    events = draw_service_events(rng, c, orders, b)
    signals = draw_signals(rng, c, orders, b)
    notes = draw_credit_notes(rng, orders, lines, b)

    customer_id = table_ids("customers", offsets, n)
    n_orders, n_notes, n_note_lines = len(orders.day), len(notes["order"]), len(notes["line"])
    all_order_ids = table_ids("orders", offsets, n_orders + n_notes)
    order_id, note_id = all_order_ids[:n_orders], all_order_ids[n_orders:]
    product = lines["product"]
    note_product = product[notes["line"]]
    # a refunded line's discount in proportion to the units refunded
    note_discount = np.round(
        lines["discount"][notes["line"]] * -notes["quantity"] / lines["quantity"][notes["line"]], 2
    )
    channel = np.where(c.is_business, "sales_team", CONSUMER_CHANNELS[rng.integers(0, len(CONSUMER_CHANNELS), n)])
    domain = np.where(c.is_business, "@company.example", "@example.com")
    tables = {
        "customers": {
            "customer_id": customer_id,
            "signup_date": dates(c.signup_day),
            "region": labels(REGIONS, rng.integers(0, len(REGIONS), n)),
            "acquisition_channel": text(channel),
            "email": pc.binary_join_element_wise(pc.utf8_lower(customer_id), text(domain), ""),
        },
        "orders": {
            "order_id": all_order_ids,
            "customer_id": customer_id.take(
                pa.array(np.concatenate([orders.customer, orders.customer[notes["order"]]]))
            ),
            "ordered_at": pa.concat_arrays([timestamps(orders.day), timestamps(notes["day"])]),
            "status": text(np.concatenate([orders.status, np.full(n_notes, "refunded")])),
            "shipping_fee": money(np.concatenate([lines["shipping_fee"], np.zeros(n_notes)])),
        },
        "order_items": {
            "order_item_id": table_ids("order_items", offsets, len(product) + n_note_lines),
            "order_id": pa.concat_arrays(
                [order_id.take(pa.array(lines["order"])), note_id.take(pa.array(notes["note"]))]
            ),
            "product_id": labels(catalogue.product_id, np.concatenate([product, note_product])),
            "product_category": labels(catalogue.category, np.concatenate([product, note_product])),
            "quantity": numbers(np.concatenate([lines["quantity"], notes["quantity"]])),
            "unit_price": money(catalogue.price[np.concatenate([product, note_product])]),
            "unit_cost": money(catalogue.cost[np.concatenate([product, note_product])]),
            "discount_amount": money(np.concatenate([lines["discount"], note_discount])),
        },
        "service_events": {
            "event_id": table_ids("service_events", offsets, len(events["customer"])),
            "customer_id": customer_id.take(pa.array(events["customer"])),
            "order_id": pc.if_else(pa.array(events["order"] >= 0),
                                   order_id.take(pa.array(np.maximum(events["order"], 0))),
                                   pa.scalar(None, pa.string())),
            "activity": text(events["activity"]),
            "occurred_at": timestamps(events["day"]),
            "units": numbers(events["units"]),
        },
        "customer_signals": {
            "signal_id": table_ids("customer_signals", offsets, len(signals["customer"])),
            "customer_id": customer_id.take(pa.array(signals["customer"])),
            "signal_type": text(signals["signal_type"]),
            "occurred_at": timestamps(signals["day"]),
        },
    }
    return {name: pa.table(columns) for name, columns in tables.items()}


# ---------------------------------------------------------------- injecting bad rows and variants

def pick_rows(rng: np.random.Generator, table: pa.Table, slots: list[BadRow | ValidVariant]) -> np.ndarray:
    """One distinct row index per slot: any row, or for a ValidVariant with `only_if` a row whose
    column holds that value. Distinct, so the original of an exact copy is never rewritten."""
    conditions = [(slot.column, slot.only_if) if getattr(slot, "only_if", None) else None for slot in slots]
    chosen = np.full(len(slots), -1, np.int64)
    for condition in sorted(set(conditions), key=str):
        positions = [i for i, c in enumerate(conditions) if c == condition]
        taken = chosen[chosen >= 0]
        if condition is None:
            draw = rng.choice(table.num_rows, min(table.num_rows, len(positions) + len(taken)), replace=False)
            candidates = draw[~np.isin(draw, taken)]
        else:
            column, value = condition
            matches = np.flatnonzero(pc.equal(table.column(column), value).to_numpy(zero_copy_only=False))
            candidates = rng.permutation(np.setdiff1d(matches, taken))
        if len(candidates) < len(positions):
            raise ValueError(f"too few rows in a chunk of {table.num_rows} to inject the bad rows")
        chosen[positions] = candidates[: len(positions)]
    return chosen


def with_tag(changes: dict[str, str | None], tag: str) -> dict[str, str | None]:
    return {column: None if value is None else value.format(tag=tag) for column, value in changes.items()}


def rewrite_variants(table: pa.Table, variants: list[ValidVariant], rows: np.ndarray) -> pa.Table:
    for column in sorted({variant.column for variant in variants}):
        chosen = sorted((int(row), variant) for row, variant in zip(rows, variants, strict=True)
                        if variant.column == column)
        values = table.column(column).combine_chunks()
        mask = np.zeros(table.num_rows, bool)
        mask[[row for row, _ in chosen]] = True
        replacements = pa.array([variant.rewrite(values[row].as_py()) for row, variant in chosen], pa.string())
        table = table.set_column(table.schema.get_field_index(column), column,
                                 pc.replace_with_mask(values, pa.array(mask), replacements))
    return table


def scatter(rng: np.random.Generator, clean: pa.Table, bad: pa.Table) -> pa.Table:
    """Clean rows in order, bad rows at random places among them."""
    position = np.concatenate([np.arange(clean.num_rows, dtype=float), rng.uniform(0, clean.num_rows, bad.num_rows)])
    return pa.concat_tables([clean, bad]).take(pa.array(np.argsort(position, kind="stable")))


def inject(rng: np.random.Generator, tables: dict[str, pa.Table], first_block: int, blocks: int) -> dict[str, pa.Table]:
    """Per block: rewrite the VALID_VARIANTS rows in place and add the BAD_ROWS, scattered."""
    result = {}
    for name, table in tables.items():
        bad_rows = [row for row in BAD_ROWS if row.table == name] * blocks
        variants = [variant for variant in VALID_VARIANTS if variant.table == name] * blocks
        rows = pick_rows(rng, table, bad_rows + variants)
        per_block = len(bad_rows) // blocks
        bases = table.take(pa.array(rows[: len(bad_rows)])).to_pylist()
        extra = [
            base if row.exact_copy else {**base, **with_tag(row.changes, f"{first_block + i // per_block:06d}")}
            for i, (row, base) in enumerate(zip(bad_rows, bases, strict=True))
        ]
        table = rewrite_variants(table, variants, rows[len(bad_rows):])
        result[name] = scatter(rng, table, pa.Table.from_pylist(extra, table.schema))
    return result


def blocks_in(n_customers: int) -> int:
    """Bad-row blocks of a chunk: one per BAD_ROW_BLOCK customers, at least one."""
    return max(1, round(n_customers / BAD_ROW_BLOCK))


def injected_counts(n_blocks: int) -> dict[str, dict[str, int]]:
    """Bad rows injected per table and intended reason, for n_blocks blocks."""
    counts: dict[str, dict[str, int]] = {name: {} for name in TABLE_COLUMNS}
    for row in BAD_ROWS:
        counts[row.table][row.reason] = counts[row.table].get(row.reason, 0) + n_blocks
    return counts


# ---------------------------------------------------------------- writing

class Writers:
    """One streaming writer per table: CSV or Parquet, every column as text."""

    def __init__(self, out_dir: Path, file_format: str, prefix: str):
        out_dir.mkdir(parents=True, exist_ok=True)
        self.writers: dict[str, pq.ParquetWriter | pacsv.CSVWriter] = {}
        for name, columns in TABLE_COLUMNS.items():
            path = out_dir / f"{prefix}{name}.{file_format}"
            schema = pa.schema([(column, pa.string()) for column in columns])
            if file_format == "parquet":
                self.writers[name] = pq.ParquetWriter(path, schema, compression="zstd")
            else:
                options = pacsv.WriteOptions(quoting_style="needed")
                self.writers[name] = pacsv.CSVWriter(path, schema, write_options=options)

    def write(self, tables: dict[str, pa.Table]) -> None:
        for name, table in tables.items():
            self.writers[name].write_table(table)

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


def progress(done: int, total: int, started: float) -> None:
    width = 30
    filled = width * done // total
    elapsed = time.perf_counter() - started
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} customers {elapsed:6.1f}s")
    sys.stderr.flush()


def chunk_sizes(n_customers: int, chunk_size: int) -> list[int]:
    """Near-equal chunks of at most chunk_size customers (no tiny last chunk)."""
    chunks = -(-n_customers // chunk_size)
    return [len(part) for part in np.array_split(np.arange(n_customers), chunks)]


def generate(n_customers: int, out_dir: Path, file_format: str = "csv", prefix: str = "",
             chunk_size: int = CHUNK_CUSTOMERS, show_progress: bool = True,
             behaviour: Behaviour = BEHAVIOUR) -> dict[str, dict[str, int]]:
    """Write every table to out_dir/<prefix><table>.<file_format>.

    Returns, per table, its row count ('rows') and the bad rows injected per intended reason.
    The output depends on the arguments only (chunk_size included).
    """
    if n_customers < MIN_CUSTOMERS:
        raise ValueError(f"at least {MIN_CUSTOMERS} customers, so every bad row finds rows to copy")
    catalogue = Catalogue.build(np.random.default_rng([SEED, 0]))
    writers = Writers(out_dir, file_format, prefix)
    offsets = Offsets()
    rows = dict.fromkeys(TABLE_COLUMNS, 0)
    started, done = time.perf_counter(), 0
    try:
        for chunk_index, size in enumerate(chunk_sizes(n_customers, chunk_size)):
            rng = np.random.default_rng([SEED, 1, chunk_index])
            clean = generate_clean_chunk(rng, size, offsets, catalogue, behaviour)
            blocks = blocks_in(size)
            tables = inject(rng, clean, offsets.blocks, blocks)
            writers.write(tables)
            rows = {name: rows[name] + tables[name].num_rows for name in TABLE_COLUMNS}
            offsets = offsets.after(clean, blocks)
            done += size
            if show_progress:
                progress(done, n_customers, started)
    finally:
        writers.close()
        if show_progress:
            sys.stderr.write("\n")
    return {name: {"rows": rows[name], **counts} for name, counts in injected_counts(offsets.blocks).items()}


# ---------------------------------------------------------------- reading the output back (tests)

def raw_relation(folder: Path, file_format: str, prefix: str, table: str) -> str:
    """DuckDB relation reading one generated file, every column as text."""
    path = folder / f"{prefix}{table}.{file_format}"
    if file_format == "parquet":
        return f"read_parquet('{path}')"
    return f"read_csv('{path}', all_varchar = true, header = true)"


def clean_rows_sql(folder: Path, file_format: str, prefix: str, table: str) -> str:
    """The rows the generator meant to be valid: a clean id (one letter, digits), one copy of
    exact duplicates. (The keys made up for bad rows have two letters or are empty.)"""
    letter, _ = ID_FORMATS[table]
    key = TABLE_COLUMNS[table][0]
    return (f"select distinct * from {raw_relation(folder, file_format, prefix, table)}"
            f" where regexp_full_match({key}, '{letter}[0-9]+')")


# ---------------------------------------------------------------- command line

def print_summary(summary: dict[str, dict[str, int]], prefix: str) -> None:
    totals: dict[str, int] = {}
    for name, counts in summary.items():
        injected = {reason: n for reason, n in counts.items() if reason != "rows"}
        for reason, n in injected.items():
            totals[reason] = totals.get(reason, 0) + n
        listed = ", ".join(f"{reason} {n:,}" for reason, n in injected.items())
        print(f"{prefix}{name}: {counts['rows']:,} rows; bad rows injected: {listed}")
    print("bad rows injected per reason: " + ", ".join(f"{reason} {n:,}" for reason, n in totals.items())
          + f" (total {sum(totals.values()):,})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=None,
                        help=f"number of customers (default {DEMO_CUSTOMERS:,}); needs --out")
    parser.add_argument("--format", choices=["csv", "parquet"], default=None,
                        help="file format with --out (default parquet); the demo seeds are CSV")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder, files named <table>.<format>; without it, the demo seeds")
    args = parser.parse_args(argv)

    if args.out is None:
        if args.customers is not None or args.format is not None:
            parser.error("--customers and --format need --out (the demo seeds are 2,000 customers in CSV)")
        out_dir, file_format, prefix, customers = DEMO_DIR, "csv", DEMO_PREFIX, DEMO_CUSTOMERS
    else:
        out_dir, file_format, prefix = args.out, args.format or "parquet", ""
        customers = args.customers or DEMO_CUSTOMERS
    if customers < MIN_CUSTOMERS:
        parser.error(f"--customers must be at least {MIN_CUSTOMERS}")

    summary = generate(customers, out_dir, file_format, prefix)
    print_summary(summary, prefix)


if __name__ == "__main__":
    main()
