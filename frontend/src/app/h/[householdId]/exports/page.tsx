import type { Metadata } from "next";

import { ExportsPage } from "@/features/exports/ExportsPage";

export const metadata: Metadata = { title: "Exports" };

export default function Exports() {
  return <ExportsPage />;
}
