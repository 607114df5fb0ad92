import type { Metadata } from "next";

import { ReceiptsPage } from "@/features/receipts/ReceiptsPage";

export const metadata: Metadata = { title: "Receipts" };

export default function Receipts() {
  return <ReceiptsPage />;
}
