"""What the demo bank's families bank with: institutions, accounts and merchants.

The institution ids and names are Plaid Sandbox's own, so a test written against the demo bank
reads the same against Sandbox. Merchant descriptors carry the noise real card feeds have (store
numbers, processor prefixes, truncation, phone numbers); `merchant_name` is the clean name Plaid's
enrichment would add, and is sometimes missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final


@dataclass(frozen=True)
class Institution:
    institution_id: str
    name: str
    checking_name: str
    savings_name: str
    card_name: str


INSTITUTIONS: Final = (
    Institution(
        "ins_109508", "First Platypus Bank", "Everyday Checking", "Platypus Savings",
        "Platypus Rewards Visa",
    ),
    Institution(
        "ins_109511", "Tartan Bank", "Tartan Checking", "Tartan High-Yield Savings",
        "Tartan Cash Back Card",
    ),
    Institution(
        "ins_109512", "Houndstooth Bank", "Houndstooth Free Checking", "Houndstooth Savings",
        "Houndstooth Platinum Card",
    ),
)  # fmt: skip
INSTITUTIONS_BY_ID: Final = {
    institution.institution_id: institution for institution in INSTITUTIONS
}

# The demo credentials Link's stand-in accepts (Plaid Sandbox uses the same pair).
DEMO_USERNAME: Final = "user_good"
DEMO_PASSWORD: Final = "pass_good"  # noqa: S105 - a published demo credential, not a secret


@dataclass(frozen=True)
class Merchant:
    descriptor: str  # what the bank feed says; {n} becomes a store or reference number
    merchant_name: str | None
    primary: str
    detailed: str
    low: Decimal
    high: Decimal
    channel: str = "in store"
    weight: int = 10
    tips: bool = False  # restaurants: the posted amount includes the tip the hold did not
    fuel_hold: bool = False  # pumps: a fixed hold, then the real amount posts


MERCHANTS: Final = (
    Merchant("STARBUCKS STORE {n} SEATTLE WA", "Starbucks", "FOOD_AND_DRINK",
             "FOOD_AND_DRINK_COFFEE", Decimal("3.45"), Decimal("11.80"), weight=18),
    Merchant("SQ *BLUE BOTTLE COFFEE", "Blue Bottle Coffee", "FOOD_AND_DRINK",
             "FOOD_AND_DRINK_COFFEE", Decimal("4.50"), Decimal("14.00"), weight=6),
    Merchant("WHOLEFDS MKT #{n}", "Whole Foods Market", "FOOD_AND_DRINK",
             "FOOD_AND_DRINK_GROCERIES", Decimal("18.00"), Decimal("184.00"), weight=14),
    Merchant("TRADER JOE S #{n} QPS", "Trader Joe's", "FOOD_AND_DRINK",
             "FOOD_AND_DRINK_GROCERIES", Decimal("22.00"), Decimal("140.00"), weight=12),
    Merchant("SAFEWAY #{n}", "Safeway", "FOOD_AND_DRINK", "FOOD_AND_DRINK_GROCERIES",
             Decimal("9.00"), Decimal("120.00"), weight=8),
    Merchant("SHELL OIL {n}", "Shell", "TRANSPORTATION", "TRANSPORTATION_GAS",
             Decimal("28.00"), Decimal("74.00"), weight=8, fuel_hold=True),
    Merchant("UBER *TRIP HELP.UBER.COM", "Uber", "TRANSPORTATION",
             "TRANSPORTATION_TAXIS_AND_RIDE_SHARES", Decimal("8.00"), Decimal("46.00"),
             channel="online", weight=6),
    Merchant("AMZN Mktp US*{n}", "Amazon", "GENERAL_MERCHANDISE",
             "GENERAL_MERCHANDISE_ONLINE_MARKETPLACES", Decimal("6.99"), Decimal("129.99"),
             channel="online", weight=14),
    Merchant("TARGET        000{n}", "Target", "GENERAL_MERCHANDISE",
             "GENERAL_MERCHANDISE_SUPERSTORES", Decimal("12.00"), Decimal("160.00"), weight=8),
    Merchant("CVS/PHARMACY #{n}", "CVS", "MEDICAL", "MEDICAL_PHARMACIES_AND_SUPPLEMENTS",
             Decimal("4.00"), Decimal("48.00"), weight=5),
    Merchant("CHIPOTLE {n}", "Chipotle Mexican Grill", "FOOD_AND_DRINK",
             "FOOD_AND_DRINK_FAST_FOOD", Decimal("9.80"), Decimal("32.00"), weight=7),
    Merchant("OLIVE GARDEN {n}", "Olive Garden", "FOOD_AND_DRINK",
             "FOOD_AND_DRINK_RESTAURANT", Decimal("34.00"), Decimal("96.00"), weight=4,
             tips=True),
    Merchant("TST* THE LOCAL TAVERN", None, "FOOD_AND_DRINK", "FOOD_AND_DRINK_RESTAURANT",
             Decimal("24.00"), Decimal("88.00"), weight=4, tips=True),
    Merchant("PAYPAL *STEAMGAMES", "Steam", "ENTERTAINMENT",
             "ENTERTAINMENT_VIDEO_GAMES", Decimal("4.99"), Decimal("59.99"), channel="online",
             weight=2),
    Merchant("HOME DEPOT #{n}", "The Home Depot", "HOME_IMPROVEMENT",
             "HOME_IMPROVEMENT_HARDWARE", Decimal("8.00"), Decimal("210.00"), weight=3),
    Merchant("CINEMARK THEATRES {n}", "Cinemark", "ENTERTAINMENT",
             "ENTERTAINMENT_TV_AND_MOVIES", Decimal("11.50"), Decimal("48.00"), weight=2),
)  # fmt: skip


@dataclass(frozen=True)
class Recurring:
    """A bill or income on a fixed day; `role` is the account it hits."""

    descriptor: str
    merchant_name: str | None
    primary: str
    detailed: str
    role: str
    amount: Decimal  # Plaid's sign: positive is money out
    channel: str = "other"


SALARY: Final = Recurring(
    "ACME CORP PAYROLL PPD ID: 9876543210",
    "Acme Corp",
    "INCOME",
    "INCOME_WAGES",
    "checking",
    Decimal("-2450.00"),
)
RENT: Final = Recurring(
    "ZELLE TO PARKSIDE APARTMENTS",
    None,
    "RENT_AND_UTILITIES",
    "RENT_AND_UTILITIES_RENT",
    "checking",
    Decimal("1850.00"),
    "online",
)
UTILITIES: Final = Recurring(
    "PGANDE WEB ONLINE",
    "PG&E",
    "RENT_AND_UTILITIES",
    "RENT_AND_UTILITIES_GAS_AND_ELECTRICITY",
    "checking",
    Decimal("96.40"),
    "online",
)
STREAMING: Final = Recurring(
    "NETFLIX.COM 866-579-7172 CA",
    "Netflix",
    "ENTERTAINMENT",
    "ENTERTAINMENT_TV_AND_MOVIES",
    "credit",
    Decimal("15.49"),
    "online",
)
TO_SAVINGS: Final = Recurring(
    "ONLINE TRANSFER TO SAV ...{mask}",
    None,
    "TRANSFER_OUT",
    "TRANSFER_OUT_SAVINGS",
    "checking",
    Decimal("200.00"),
    "online",
)
FROM_CHECKING: Final = Recurring(
    "ONLINE TRANSFER FROM CHK ...{mask}",
    None,
    "TRANSFER_IN",
    "TRANSFER_IN_SAVINGS",
    "savings",
    Decimal("-200.00"),
    "online",
)
CARD_AUTOPAY: Final = Recurring(
    "CREDIT CRD AUTOPAY PPD ID: 0005000945",
    None,
    "LOAN_PAYMENTS",
    "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT",
    "checking",
    Decimal("0"),
    "online",
)
CARD_PAYMENT_RECEIVED: Final = Recurring(
    "AUTOMATIC PAYMENT - THANK YOU",
    None,
    "LOAN_PAYMENTS",
    "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT",
    "credit",
    Decimal("0"),
    "online",
)
INTEREST: Final = Recurring("INTEREST PAYMENT", None, "INCOME", "INCOME_INTEREST_EARNED",
                            "savings", Decimal("0"))  # fmt: skip

OPENING_BALANCES: Final = {
    "checking": Decimal("4200.00"),
    "savings": Decimal("12500.00"),
    "credit": Decimal("0.00"),  # owed
}
CARD_LIMIT: Final = Decimal("8000.00")
