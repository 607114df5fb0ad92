import { DashboardPage } from "@/features/dashboard/DashboardPage";

export default function Dashboard() {
  return <DashboardPage />;
}
