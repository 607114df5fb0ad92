import type { Metadata } from "next";

import { RulesPage } from "@/features/rules/RulesPage";

export const metadata: Metadata = { title: "Rules" };

export default function Rules() {
  return <RulesPage />;
}
