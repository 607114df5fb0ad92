import type { Metadata } from "next";

import { BankConnectionsPage } from "@/features/bankConnections/BankConnectionsPage";

export const metadata: Metadata = { title: "Banks" };

export default function BankConnections() {
  return <BankConnectionsPage />;
}
