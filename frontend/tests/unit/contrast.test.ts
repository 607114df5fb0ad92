// @vitest-environment node
import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

/**
 * The colour tokens in globals.css are the only colours the app uses. Every text/background pair
 * the components combine must meet WCAG AA for normal text (4.5:1) in both themes.
 */
const css = readFileSync(new URL("../../src/app/globals.css", import.meta.url), "utf8");

function tokens(selector: string): Record<string, string> {
  const block = new RegExp(`${selector.replace(".", "\\.")}\\s*\\{([^}]*)\\}`).exec(css)?.[1] ?? "";
  return Object.fromEntries(
    [...block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})/gi)].map((match) => [match[1], match[2]]),
  );
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((at) => {
    const channel = parseInt(hex.slice(at, at + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

// [text, background] as the components pair them.
const PAIRS: Array<[string, string]> = [
  ["fg", "bg"],
  ["fg", "card"],
  ["muted", "bg"],
  ["muted", "card"],
  ["primary-fg", "primary"],
  ["primary", "card"],
  ["primary", "bg"],
  ["danger", "card"],
  ["danger", "bg"],
  ["danger", "danger-bg"],
  ["card", "danger"],
  ["warning", "card"],
  ["warning", "warning-bg"],
  ["success", "card"],
  ["success", "success-bg"],
];

describe.each([
  ["light", ":root"],
  ["dark", ".dark"],
])("%s theme colour tokens", (_theme, selector) => {
  const palette = tokens(selector);

  it.each(PAIRS)("%s on %s meets WCAG AA (4.5:1)", (text, background) => {
    const foreground = palette[text];
    const behind = palette[background];
    expect(foreground, `--${text} is defined`).toBeDefined();
    expect(behind, `--${background} is defined`).toBeDefined();
    expect(contrast(foreground!, behind!)).toBeGreaterThanOrEqual(4.5);
  });
});
