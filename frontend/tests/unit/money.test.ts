import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  amountInputValue,
  type Currency,
  formatMoney,
  MAX_AMOUNT_MINOR,
  minorToDecimalString,
  parseAmount,
} from "@/lib/money";

const USD: Currency = { code: "USD", exponent: 2 };
const EUR: Currency = { code: "EUR", exponent: 2 };
const JPY: Currency = { code: "JPY", exponent: 0 };
const KWD: Currency = { code: "KWD", exponent: 3 };

const LOCALES = ["en-US", "de-DE", "fr-FR", "de-CH", "ja-JP"] as const;
const CURRENCIES = [USD, JPY, KWD] as const;

const amounts = fc.integer({ min: -MAX_AMOUNT_MINOR, max: MAX_AMOUNT_MINOR });
const locales = fc.constantFrom(...LOCALES);
const currencies = fc.constantFrom(...CURRENCIES);

function parsed(text: string, currency: Currency, locale?: string): number {
  const result = parseAmount(text, currency, locale);
  if (!result.ok) throw new Error(`${JSON.stringify(text)} was refused: ${result.error}`);
  return result.minor;
}

function digitsOf(text: string): string {
  return text.replace(/\D/g, "");
}

describe("parseAmount and amountInputValue", () => {
  it("reads back exactly what it offers for editing, in every locale and exponent", () => {
    fc.assert(
      fc.property(amounts, currencies, locales, (minor, currency, locale) => {
        expect(parsed(amountInputValue(minor, currency, locale), currency, locale)).toBe(minor);
      }),
      { numRuns: 2000 },
    );
  });

  it("reads back what formatMoney displays, so a pasted amount keeps its value", () => {
    fc.assert(
      fc.property(amounts, currencies, locales, (minor, currency, locale) => {
        expect(parsed(formatMoney(minor, currency, { locale }), currency, locale)).toBe(minor);
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses anything beyond the API's bound and accepts the bound itself", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: BigInt(MAX_AMOUNT_MINOR) + 1n, max: 10n ** 20n }),
        fc.boolean(),
        currencies,
        (magnitude, negative, currency) => {
          const digits = magnitude.toString();
          const split = digits.length - currency.exponent;
          const sign = negative ? "-" : "";
          const point = currency.exponent ? "." : "";
          const text = `${sign}${digits.slice(0, split)}${point}${digits.slice(split)}`;
          expect(parseAmount(text, currency, "en-US")).toEqual({
            ok: false,
            error: "That amount is too large",
          });
        },
      ),
    );
    for (const currency of CURRENCIES) {
      const bound = minorToDecimalString(MAX_AMOUNT_MINOR, currency.exponent);
      expect(parsed(bound, currency, "en-US")).toBe(MAX_AMOUNT_MINOR);
      expect(parsed(`-${bound}`, currency, "en-US")).toBe(-MAX_AMOUNT_MINOR);
    }
  });
});

describe("parseAmount on anything typed", () => {
  it("never throws and only ever returns a whole number of minor units within the bound", () => {
    const typed = fc.oneof(fc.string(), fc.stringMatching(/^[-+(]?[$€ ]?[0-9.,' ]{0,20}[)]?$/));
    fc.assert(
      fc.property(typed, currencies, locales, (text, currency, locale) => {
        const result = parseAmount(text, currency, locale);
        if (result.ok) {
          expect(Number.isSafeInteger(result.minor)).toBe(true);
          expect(Math.abs(result.minor)).toBeLessThanOrEqual(MAX_AMOUNT_MINOR);
        } else {
          expect(result.error).not.toBe("");
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe("parseAmount examples", () => {
  it.each([
    ["12.50", USD, "en-US", 1250],
    ["12.5", USD, "en-US", 1250],
    ["12", USD, "en-US", 1200],
    ["-12,50", EUR, "de-DE", -1250],
    ["1,234.56", USD, "en-US", 123456],
    ["1.234,56", EUR, "de-DE", 123456],
    ["1,250", USD, "en-US", 125000],
    ["1.250", EUR, "de-DE", 125000],
    ["12.5", EUR, "de-DE", 1250],
    ["(3.00)", USD, "en-US", -300],
    ["+7.25", USD, "en-US", 725],
    ["\u22127.25", USD, "en-US", -725],
    ["$ 1,000", USD, "en-US", 100000],
    ["12,50 €", EUR, "fr-FR", 1250],
    ["1\u202f234,56", EUR, "fr-FR", 123456],
    ["1'234.56", USD, "de-CH", 123456],
    ["USD 5", USD, "en-US", 500],
    ["1,234", JPY, "ja-JP", 1234],
    ["1.234", KWD, "en-US", 1234],
    ["0", USD, "en-US", 0],
    ["-0", USD, "en-US", 0],
    ["(0.00)", USD, "en-US", 0],
    ["1,234,567.89", USD, "en-US", 123456789],
    ["1.234.567", JPY, "de-DE", 1234567],
    ["12,50 $US", USD, "fr-FR", 1250],
    ["CHF-1'234.50", { code: "CHF", exponent: 2 }, "de-CH", -123450],
  ] as const)("%s in %s (%s) is %d", (text, currency, locale, minor) => {
    // toBe compares with Object.is, so a negative zero would fail here.
    expect(parsed(text, currency, locale)).toBe(minor);
  });

  it.each([
    ["1.234", USD, "en-US", "USD has at most 2 decimal places"],
    ["12,345", KWD, "de-DE", undefined],
    ["0.5", JPY, "en-US", "JPY has no decimal places"],
    ["1.2345", KWD, "en-US", "KWD has at most 3 decimal places"],
  ] as const)("%s in %s (%s) has too many decimals", (text, currency, locale, message) => {
    const result = parseAmount(text, currency, locale);
    if (message === undefined) {
      // "12,345" is 12.345 in a comma-decimal locale: fine for KWD, shown here as the contrast.
      expect(result).toEqual({ ok: true, minor: 12345 });
    } else {
      expect(result).toEqual({ ok: false, error: message });
    }
  });

  it.each(["", "   ", "\t"])("asks for an amount when given %j", (text) => {
    expect(parseAmount(text, USD, "en-US")).toEqual({ ok: false, error: "Enter an amount" });
  });

  it.each([
    "abc",
    "12abc",
    "12..5",
    ".",
    ",",
    ".5.",
    "--5",
    "1-2",
    "e5",
    "1e3",
    "NaN",
    "Infinity",
    "0x10",
    "½",
  ])("refuses %j", (text) => {
    expect(parseAmount(text, USD, "en-US")).toEqual({
      ok: false,
      error: "Enter a number, like 12.50",
    });
  });

  // A misplaced grouping separator is a typo; reading "1.234.56" as 123456 dollars would not be.
  it.each([
    "1.234.56",
    "1,2,3",
    "1.2.3,4",
    "12,34.567,89",
    "1.234,567.89",
    "1234,567,89.00",
    ",123,456",
  ])("refuses the badly grouped %j", (text) => {
    expect(parseAmount(text, USD, "en-US").ok).toBe(false);
  });

  it("reads lakh and crore grouping", () => {
    expect(parsed("1,23,45,678.90", { code: "INR", exponent: 2 }, "en-IN")).toBe(1_234_567_890);
  });

  it("refuses one minor unit over the bound", () => {
    expect(parseAmount("100000000000.01", USD, "en-US")).toEqual({
      ok: false,
      error: "That amount is too large",
    });
    expect(parseAmount("-10000000000001", JPY, "en-US")).toEqual({
      ok: false,
      error: "That amount is too large",
    });
  });
});

describe("formatMoney", () => {
  it("never loses or invents a digit", () => {
    fc.assert(
      fc.property(amounts, currencies, locales, (minor, currency, locale) => {
        const formatted = formatMoney(minor, currency, { locale });
        expect(digitsOf(formatted)).toBe(digitsOf(minorToDecimalString(minor, currency.exponent)));
      }),
      { numRuns: 2000 },
    );
  });

  it("formats with the currency's own number of decimals", () => {
    expect(formatMoney(123456, USD, { locale: "en-US" })).toBe("$1,234.56");
    expect(formatMoney(-1250, EUR, { locale: "de-DE" })).toBe("-12,50\u00a0€");
    expect(formatMoney(1234, JPY, { locale: "en-US" })).toBe("¥1,234");
    expect(formatMoney(1234567, KWD, { locale: "en-US" })).toBe("KWD\u00a01,234.567");
    expect(formatMoney(500, USD, { locale: "en-US", signDisplay: "always" })).toBe("+$5.00");
  });
});

describe("minorToDecimalString", () => {
  it.each([
    [0, 2, "0.00"],
    [5, 2, "0.05"],
    [-5, 2, "-0.05"],
    [-1250, 2, "-12.50"],
    [1234, 0, "1234"],
    [1, 3, "0.001"],
    [MAX_AMOUNT_MINOR, 2, "100000000000.00"],
  ])("%d with exponent %d is %s", (minor, exponent, text) => {
    expect(minorToDecimalString(minor, exponent)).toBe(text);
  });

  it("refuses what is not a safe integer", () => {
    expect(() => minorToDecimalString(1.5, 2)).toThrow(RangeError);
    expect(() => minorToDecimalString(Number.MAX_SAFE_INTEGER + 1, 2)).toThrow(RangeError);
  });
});
