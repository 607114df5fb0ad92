import type { components } from "@/api/schema";

/** An ISO 4217 code the API accepts (the schema lists them all). */
export type CurrencyCode = components["schemas"]["HouseholdCreate"]["currency"];

/**
 * The currencies offered when a household is created: the common ones, each of which the
 * backend accepts (backend/src/family_budget/money.py lists them all). Someone needing another
 * ISO code can still be served by adding it here; the select stays short and scannable.
 */
export const COMMON_CURRENCIES = [
  "USD",
  "EUR",
  "GBP",
  "CAD",
  "AUD",
  "NZD",
  "CHF",
  "JPY",
  "CNY",
  "HKD",
  "SGD",
  "INR",
  "KRW",
  "SEK",
  "NOK",
  "DKK",
  "PLN",
  "CZK",
  "HUF",
  "RON",
  "TRY",
  "ILS",
  "AED",
  "SAR",
  "KWD",
  "ZAR",
  "NGN",
  "KES",
  "EGP",
  "MXN",
  "BRL",
  "ARS",
  "CLP",
  "COP",
  "PHP",
  "IDR",
  "MYR",
  "THB",
  "VND",
  "UAH",
] as const satisfies readonly CurrencyCode[];

// The region of a locale ("en-GB" → GB) says more about someone's money than the language does.
const REGION_CURRENCY: Readonly<Record<string, CurrencyCode>> = {
  US: "USD",
  PR: "USD",
  EC: "USD",
  SV: "USD",
  PA: "USD",
  GB: "GBP",
  CA: "CAD",
  AU: "AUD",
  NZ: "NZD",
  CH: "CHF",
  LI: "CHF",
  JP: "JPY",
  CN: "CNY",
  HK: "HKD",
  SG: "SGD",
  IN: "INR",
  KR: "KRW",
  SE: "SEK",
  NO: "NOK",
  DK: "DKK",
  PL: "PLN",
  CZ: "CZK",
  HU: "HUF",
  RO: "RON",
  TR: "TRY",
  IL: "ILS",
  AE: "AED",
  SA: "SAR",
  KW: "KWD",
  ZA: "ZAR",
  NG: "NGN",
  KE: "KES",
  EG: "EGP",
  MX: "MXN",
  BR: "BRL",
  AR: "ARS",
  CL: "CLP",
  CO: "COP",
  PH: "PHP",
  ID: "IDR",
  MY: "MYR",
  TH: "THB",
  VN: "VND",
  UA: "UAH",
  AT: "EUR",
  BE: "EUR",
  CY: "EUR",
  DE: "EUR",
  EE: "EUR",
  ES: "EUR",
  FI: "EUR",
  FR: "EUR",
  GR: "EUR",
  HR: "EUR",
  IE: "EUR",
  IT: "EUR",
  LT: "EUR",
  LU: "EUR",
  LV: "EUR",
  MT: "EUR",
  NL: "EUR",
  PT: "EUR",
  SI: "EUR",
  SK: "EUR",
};

export const DEFAULT_CURRENCY: CurrencyCode = "USD";

function regionOf(locale: string): string | undefined {
  try {
    return new Intl.Locale(locale).maximize().region;
  } catch {
    return undefined;
  }
}

/** The likely currency of someone whose browser prefers these locales (first match wins). */
export function guessCurrency(locales: readonly string[]): CurrencyCode {
  for (const locale of locales) {
    const region = regionOf(locale);
    const currency = region ? REGION_CURRENCY[region] : undefined;
    if (currency) return currency;
  }
  return DEFAULT_CURRENCY;
}

/** "EUR – Euro", in English like the rest of the interface (and the same on server and browser). */
export function currencyLabel(code: string, locale = "en"): string {
  try {
    const name = new Intl.DisplayNames([locale], { type: "currency" }).of(code);
    return name && name !== code ? `${code} – ${name}` : code;
  } catch {
    return code;
  }
}
