/**
 * Money in the web app is what it is in the API: an integer count of minor units beside an
 * ISO 4217 currency. Parsing and formatting work on decimal strings and BigInt, never floats,
 * so "0.10" + "0.20" can never become 0.30000000000000004 cents.
 *
 * The currency's exponent (2 for USD, 0 for JPY, 3 for KWD) comes from the API
 * (`currency_exponent` on a household), so browser and server never disagree about it.
 */

/** The API refuses any single amount beyond ±10^13 minor units. */
export const MAX_AMOUNT_MINOR = 10_000_000_000_000;

export interface Currency {
  code: string;
  exponent: number;
}

export type ParseResult = { ok: true; minor: number } | { ok: false; error: string };

interface LocaleSeparators {
  decimal: string;
  group: string;
}

const separatorCache = new Map<string, LocaleSeparators>();

export function localeSeparators(locale?: string): LocaleSeparators {
  const key = locale ?? "";
  const cached = separatorCache.get(key);
  if (cached) return cached;
  const parts = new Intl.NumberFormat(locale, { useGrouping: true }).formatToParts(1234567.5);
  const separators = {
    decimal: parts.find((part) => part.type === "decimal")?.value ?? ".",
    group: parts.find((part) => part.type === "group")?.value ?? ",",
  };
  separatorCache.set(key, separators);
  return separators;
}

/** Decimal string of a minor-unit integer: (-1250, 2) → "-12.50". Exact for any safe integer. */
export function minorToDecimalString(minor: number, exponent: number): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`not an integer amount: ${minor}`);
  const negative = minor < 0;
  const digits = Math.abs(minor)
    .toString()
    .padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  const body = exponent > 0 ? `${whole}.${fraction}` : whole;
  return negative ? `-${body}` : body;
}

/**
 * Turn what a person typed into minor units. Accepts "12.50", "-12,50", "1,234.5", "1.234,5",
 * "(12.50)" for a negative, a leading "+" or a Unicode minus, spaces and currency symbols.
 *
 * A lone "." or "," is read as the decimal point unless it is the locale's grouping character
 * and exactly three digits follow it ("1,250" is 1250 in en-US, "1.250" is 1250 in de-DE), so
 * someone used to the other convention still gets what they meant in the common cases.
 */
export function parseAmount(input: string, currency: Currency, locale?: string): ParseResult {
  let text = input.normalize("NFKC").trim();
  if (text === "") return { ok: false, error: "Enter an amount" };

  let negative = false;
  if (text.startsWith("(") && text.endsWith(")")) {
    negative = true;
    text = text.slice(1, -1);
  }
  // Currency codes and symbols, spaces of any kind and apostrophes (Swiss grouping) carry no value.
  // The locale's own symbol goes first: some contain letters ("$US" in fr-FR), so an amount copied
  // from what formatMoney displays reads back as itself.
  text = text
    .split(localeCurrencySymbol(currency.code, locale))
    .join("")
    .replace(new RegExp(currency.code, "gi"), "")
    .replace(/[\p{Sc}\s'’]/gu, "")
    .replace(/\u2212/g, "-");
  if (text.startsWith("-")) {
    negative = !negative;
    text = text.slice(1);
  } else if (text.startsWith("+")) {
    text = text.slice(1);
  }
  if (!/^[0-9.,]+$/.test(text) || !/[0-9]/.test(text)) {
    return { ok: false, error: "Enter a number, like 12.50" };
  }

  const decimalAt = findDecimalSeparator(text, currency.exponent, localeSeparators(locale));
  const wholePart = decimalAt === -1 ? text : text.slice(0, decimalAt);
  const fractionPart = decimalAt === -1 ? "" : text.slice(decimalAt + 1);
  if (/[.,]/.test(fractionPart)) return { ok: false, error: "Enter a number, like 12.50" };
  if (!isGroupedWhole(wholePart)) return { ok: false, error: "Enter a number, like 12.50" };

  if (fractionPart.length > currency.exponent) {
    return {
      ok: false,
      error:
        currency.exponent === 0
          ? `${currency.code} has no decimal places`
          : `${currency.code} has at most ${currency.exponent} decimal places`,
    };
  }
  const wholeDigits = wholePart.replace(/[.,]/g, "") || "0";
  const minorDigits = wholeDigits + fractionPart.padEnd(currency.exponent, "0");
  const magnitude = BigInt(minorDigits);
  if (magnitude > BigInt(MAX_AMOUNT_MINOR)) return { ok: false, error: "That amount is too large" };
  const minor = Number(magnitude);
  return { ok: true, minor: negative && minor !== 0 ? -minor : minor };
}

/**
 * Digits, or digits grouped by one separator the way people group them: thousands ("1,234,567")
 * or the Indian lakh and crore ("12,34,567"). A misplaced separator ("1.234.56", "1,2,3") is a
 * typo, and reading it as one big number would silently change the amount.
 */
function isGroupedWhole(whole: string): boolean {
  if (!/[.,]/.test(whole)) return true;
  if (whole.includes(".") && whole.includes(",")) return false;
  return /^\d{1,3}([.,]\d{3})+$/.test(whole) || /^\d{1,2}([.,]\d{2})*[.,]\d{3}$/.test(whole);
}

const currencySymbolCache = new Map<string, string>();

function localeCurrencySymbol(code: string, locale?: string): string {
  const key = `${locale ?? ""}|${code}`;
  let symbol = currencySymbolCache.get(key);
  if (symbol === undefined) {
    try {
      const parts = new Intl.NumberFormat(locale, {
        style: "currency",
        currency: code,
      }).formatToParts(1);
      symbol = (parts.find((part) => part.type === "currency")?.value ?? code).normalize("NFKC");
    } catch {
      // Not an ISO 4217 code Intl knows: the code itself is all there is to strip.
      symbol = code;
    }
    currencySymbolCache.set(key, symbol);
  }
  return symbol;
}

function findDecimalSeparator(text: string, exponent: number, locale: LocaleSeparators): number {
  const lastDot = text.lastIndexOf(".");
  const lastComma = text.lastIndexOf(",");
  if (lastDot === -1 && lastComma === -1) return -1;
  if (lastDot !== -1 && lastComma !== -1) return Math.max(lastDot, lastComma);

  const separator = lastDot !== -1 ? "." : ",";
  const at = Math.max(lastDot, lastComma);
  if (text.indexOf(separator) !== at) return -1; // repeated: it can only be grouping
  const digitsAfter = text.length - at - 1;
  // The locale's grouping character with three digits after it groups thousands; with any other
  // count it is a decimal point typed by someone used to the other convention ("12.5" in de-DE).
  const looksLikeGrouping = digitsAfter === 3 && exponent < 3 && separator === locale.group;
  return looksLikeGrouping ? -1 : at;
}

/** Format minor units for display in the household's currency and the browser's locale. */
export function formatMoney(
  minor: number,
  currency: Currency,
  options: { locale?: string; signDisplay?: "auto" | "always" | "exceptZero" } = {},
): string {
  const formatter = new Intl.NumberFormat(options.locale, {
    style: "currency",
    currency: currency.code,
    minimumFractionDigits: currency.exponent,
    maximumFractionDigits: currency.exponent,
    signDisplay: options.signDisplay ?? "auto",
  });
  // Intl formats a decimal string exactly (no float rounding on the way).
  return formatter.format(minorToDecimalString(minor, currency.exponent) as unknown as number);
}

/** The editable text for an amount: "-12.50" in en-US, "-12,50" in de-DE, no grouping. */
export function amountInputValue(minor: number, currency: Currency, locale?: string): string {
  const text = minorToDecimalString(minor, currency.exponent);
  return text.replace(".", localeSeparators(locale).decimal);
}
