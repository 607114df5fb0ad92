import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";

import { EARLY_REFRESH_SCRIPT } from "@/api/session";
import { THEME_SCRIPT } from "@/features/theme/theme";

import "./globals.css";
import { Providers } from "./providers";

export const metadata: Metadata = {
  title: { default: "Family Budget", template: "%s · Family Budget" },
  description:
    "Budget the month together: accounts, transactions and a budget the whole family shares.",
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f8fafc" },
    { media: "(prefers-color-scheme: dark)", color: "#0b1120" },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* Applies the saved or system theme before first paint, so there is no light flash. */}
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
        {/* Restores the session while the page's JavaScript is still on its way. */}
        <script dangerouslySetInnerHTML={{ __html: EARLY_REFRESH_SCRIPT }} />
      </head>
      <body className="min-h-dvh">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
