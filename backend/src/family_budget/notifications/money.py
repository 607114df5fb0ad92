"""Money formatting for notifications: amounts travel as integer minor units plus a currency."""

from __future__ import annotations

from family_budget.money import exponent, is_currency

# Symbols that are unambiguous for an English-speaking household; any other currency is
# written with its code ("CHF 12.50") so a reader never has to guess which dollar it is.
_SYMBOLS: dict[str, str] = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
}


def minor_unit_exponent(currency: str) -> int:
    """Number of decimal digits of the currency's minor unit (0 for JPY, 3 for KWD, else 2)."""
    if not is_currency(currency):
        raise ValueError(f"not an ISO 4217 currency code: {currency!r}")
    return exponent(currency)


def format_money(amount_minor: int, currency: str) -> str:
    """Format integer minor units for display, e.g. (-123456, "USD") -> "-$1,234.56".

    Known currencies get their symbol ("$", "€", "£", "¥", "₹"); others their code followed by
    a space ("CHF 12.50", "KWD 1.500"). The minus sign always comes first.
    """
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise TypeError(f"amount_minor must be an int, got {type(amount_minor).__name__}")
    places = minor_unit_exponent(currency)
    sign = "-" if amount_minor < 0 else ""
    major, minor = divmod(abs(amount_minor), 10**places)
    number = f"{major:,}"
    if places:
        number = f"{number}.{minor:0{places}d}"
    symbol = _SYMBOLS.get(currency)
    prefix = symbol if symbol is not None else f"{currency} "
    return f"{sign}{prefix}{number}"
