import type { Metadata } from "next";
import { Suspense } from "react";

import { Spinner } from "@/components/ui/Card";
import { BillsPage } from "@/features/bills/BillsPage";

export const metadata: Metadata = { title: "Bills" };

export default function Bills() {
  // The month comes from the URL on the client (useSearchParams needs a Suspense boundary).
  return (
    <Suspense fallback={<Spinner label="Loading the bills" />}>
      <BillsPage />
    </Suspense>
  );
}
