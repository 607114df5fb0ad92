import type { Metadata } from "next";

import { CategoriesPage } from "@/features/categories/CategoriesPage";

export const metadata: Metadata = { title: "Categories" };

export default function Categories() {
  return <CategoriesPage />;
}
