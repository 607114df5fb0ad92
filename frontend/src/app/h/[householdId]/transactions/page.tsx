import { Suspense } from "react";

import { Spinner } from "@/components/ui/Card";
import { TransactionsPage } from "@/features/transactions/TransactionsPage";

export default function Transactions() {
  // The filters are read from the URL on the client (useSearchParams needs a Suspense boundary).
  return (
    <Suspense fallback={<Spinner label="Loading transactions" />}>
      <TransactionsPage />
    </Suspense>
  );
}
