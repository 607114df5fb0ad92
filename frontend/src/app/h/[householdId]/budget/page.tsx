import { Suspense } from "react";

import { Spinner } from "@/components/ui/Card";
import { BudgetPage } from "@/features/budget/BudgetPage";

export default function Budget() {
  // The month comes from the URL on the client (useSearchParams needs a Suspense boundary).
  return (
    <Suspense fallback={<Spinner label="Loading the budget" />}>
      <BudgetPage />
    </Suspense>
  );
}
