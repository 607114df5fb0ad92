"""Money is an int of minor units with its ISO 4217 currency beside it.

This module holds the one table of currencies and their minor-unit exponents, for the API, the
worker and the notification Lambdas alike (the Lambda asset ships this file with the
notifications package, so it imports nothing but the standard library). Formatting happens only
at the edges."""

from __future__ import annotations

# Minor-unit exponents of ISO 4217 currencies in use (2 unless listed otherwise).
_ZERO_DECIMAL = {
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
    "VND", "VUV", "XAF", "XOF", "XPF",
}  # fmt: skip
_THREE_DECIMAL = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}
# Units of account with four decimals (Chile's Unidad de Fomento, Uruguay's wage index unit).
_FOUR_DECIMAL = {"CLF", "UYW"}
_TWO_DECIMAL = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF",
    "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR",
    "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF",
    "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP",
    "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK",
    "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
    "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP",
    "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "UYU", "UZS", "VES", "WST", "XCD", "YER", "ZAR",
    "ZMW", "ZWG",
}  # fmt: skip

CURRENCY_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(_TWO_DECIMAL, 2),
    **dict.fromkeys(_ZERO_DECIMAL, 0),
    **dict.fromkeys(_THREE_DECIMAL, 3),
    **dict.fromkeys(_FOUR_DECIMAL, 4),
}

# Bounds for any single amount: ±10^13 minor units (a hundred billion dollars), far above a
# household's reality and far below what a BIGINT sum of many rows can hold.
MAX_AMOUNT_MINOR = 10**13


def is_currency(code: str) -> bool:
    return code in CURRENCY_EXPONENTS


def exponent(currency: str) -> int:
    return CURRENCY_EXPONENTS[currency]


def format_minor(amount_minor: int, currency: str) -> str:
    """'-1234' USD -> '-12.34 USD'. Integer arithmetic only."""
    places = exponent(currency)
    sign = "-" if amount_minor < 0 else ""
    whole, fraction = divmod(abs(amount_minor), 10**places)
    if places == 0:
        return f"{sign}{whole:,} {currency}"
    return f"{sign}{whole:,}.{fraction:0{places}d} {currency}"


def decimal_string(amount_minor: int, currency: str) -> str:
    """'-1234' USD -> '-12.34': a plain decimal for files (CSV) that spreadsheets read as a
    number; no grouping, no symbol. Integer arithmetic only."""
    places = exponent(currency)
    sign = "-" if amount_minor < 0 else ""
    whole, fraction = divmod(abs(amount_minor), 10**places)
    return f"{sign}{whole}.{fraction:0{places}d}" if places else f"{sign}{whole}"
