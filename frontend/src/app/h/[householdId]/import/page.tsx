import type { Metadata } from "next";

import { ImportPage } from "@/features/imports/ImportPage";

export const metadata: Metadata = { title: "Import" };

export default function Import() {
  return <ImportPage />;
}
