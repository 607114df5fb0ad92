"""Who the demo family is and the tables their money follows: bills, shops, monthly plans."""

from __future__ import annotations

from dataclasses import dataclass

from family_budget.models import (
    Role,
)

SEED = 20_240_601
HOUSEHOLD_NAME = "The Demo Family"
CURRENCY = "USD"
# Categories whose overspending carries in the category (left-over money always carries).
CARRY_OVERSPENDING_CATEGORIES = ("Groceries", "Vacation fund", "Emergency fund")
# Card purchases of the last few days have not cleared yet.
PENDING_DAYS = 4


@dataclass(frozen=True, slots=True)
class DemoPerson:
    name: str
    email: str
    role: Role


DEMO_PEOPLE = (
    DemoPerson("Alex Demo", "alex.demo@example.com", Role.OWNER),
    DemoPerson("Sam Demo", "sam.demo@example.com", Role.ADULT),
    DemoPerson("Jordan Demo", "jordan.demo@example.com", Role.TEEN),
)
DEMO_EMAILS = tuple(person.email for person in DEMO_PEOPLE)


ELECTRICITY = (118, 110, 92, 80, 88, 126, 158, 152, 112, 84, 92, 114)
HEATING_GAS = (128, 115, 88, 55, 34, 22, 20, 20, 26, 48, 86, 118)
WATER = 54

SUBSCRIPTIONS = (
    ("StreamFlix", 1_549, 5),
    ("Tunely Music Family", 1_699, 9),
    ("CloudBox Storage", 299, 23),
)
GROCERS = ("Green Basket Market", "FreshCo", "Harvest Lane Foods")
RESTAURANTS = ("Luigi's Trattoria", "Noodle Bar", "Taco Corner", "The Burger Joint", "Sushi Go")
FUEL_STATIONS = ("Roadside Gas & Go", "QuickFuel")
TEEN_SPENDING = (
    ("Campus Snack Bar", "Dining out"),
    ("City Cinema", "Entertainment"),
    ("Metro Transit", "Public transport"),
)
# (chance in a month, account, payee, category, lowest cents, highest cents, memo); a positive
# lowest amount is a refund: money back into an expense category, not income.
OCCASIONAL = (
    (0.5, "card", "Toy Harbor", "Kids", -6_000, -1_500, ""),
    (0.4, "checking", "Pharmacy Plus", "Health", -6_500, -1_200, ""),
    (0.5, "card", "City Cinema", "Entertainment", -9_000, -2_500, ""),
    (0.35, "card", "Outfitters", "Clothing", -12_000, -3_000, ""),
    (0.25, "card", "HomeHardware", "Home maintenance", -18_000, -2_000, ""),
    (0.3, "card", "Green Basket Market", "Groceries", 500, 2_500, "Refund: damaged item"),
    (0.2, "card", "Outfitters", "Clothing", 2_000, 6_000, "Return"),
)
# (calendar months, day, account, payee, category, lowest cents, highest cents, tag)
SEASONAL = (
    ((8, 9), 19, "card", "Book Nook", "Education", -14_000, -6_000, "school"),
    ((8, 9), 26, "card", "Outfitters", "Clothing", -9_000, -4_000, "school"),
    ((4, 10), 11, "checking", "AutoCare Garage", "Car maintenance", -42_000, -18_000, ""),
    ((12,), 6, "card", "Gift Gallery", "Gifts", -15_000, -4_000, "holidays"),
    ((12,), 13, "card", "Gift Gallery", "Gifts", -15_000, -4_000, "holidays"),
    ((12,), 18, "card", "Toy Harbor", "Gifts", -15_000, -4_000, "holidays"),
    ((7,), 3, "card", "Coastal Airlines", "Vacation fund", -86_000, -86_000, "vacation"),
    ((7,), 17, "card", "Seaside Inn", "Vacation fund", -124_000, -124_000, "vacation"),
    ((7,), 19, "card", "Harbor Seafood", "Vacation fund", -16_000, -9_000, "vacation"),
)
SCHOOL_MONTHS = (8, 9)

# The Rules page's starting point: (name, payee match, payee text, category, tags).
DEMO_RULES = (
    ("Fuel stations", "equals", "QuickFuel", "Fuel", ()),
    ("Green Basket is groceries", "contains", "green basket", "Groceries", ()),
    ("Gift shopping", "contains", "gift", "Gifts", ("holidays",)),
)

# Assigned every month, in cents: a family that plans by last year's spending.
MONTHLY_PLAN = {
    "Rent or mortgage": 215_000,
    "Home maintenance": 6_000,
    "Groceries": 76_000,
    "Dining out": 27_000,
    "Household supplies": 9_000,
    "Fuel": 19_000,
    "Public transport": 4_500,
    "Car maintenance": 6_000,
    "Phone and internet": 15_000,
    "Insurance": 13_200,
    "Subscriptions": 3_600,
    "Kids": 10_000,
    "Health": 7_000,
    "Education": 4_000,
    "Gifts": 6_000,
    "Entertainment": 9_000,
    "Clothing": 11_000,
    "Travel": 5_000,
    "Emergency fund": 60_000,
    "Vacation fund": 35_000,
}
