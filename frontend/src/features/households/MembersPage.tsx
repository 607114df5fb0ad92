"use client";

import { PageHeader } from "@/components/ui/Card";
import { AuditLog } from "@/features/audit/AuditLog";

import { useHousehold } from "./HouseholdContext";
import { HouseholdSettings } from "./HouseholdSettings";
import { Invitations } from "./Invitations";
import { LeaveAndDelete } from "./LeaveAndDelete";
import { MemberList } from "./MemberList";
import { ROLE_LABELS } from "./roles";

/** The "Household" section: settings, members, invitations; owner controls only for owners. */
export function MembersPage() {
  const household = useHousehold();
  return (
    <>
      <PageHeader title="Household">
        <p className="text-sm text-muted">
          {household.name} · your role: {ROLE_LABELS[household.role]}
        </p>
      </PageHeader>
      <div className="flex flex-col gap-4">
        <MemberList />
        <div className="grid gap-4 lg:grid-cols-2 lg:items-start">
          {household.isOwner ? (
            <>
              <Invitations />
              <div className="flex flex-col gap-4">
                <HouseholdSettings />
                <LeaveAndDelete />
              </div>
              <div className="lg:col-span-2">
                <AuditLog />
              </div>
            </>
          ) : (
            <>
              <HouseholdSettings />
              <LeaveAndDelete />
            </>
          )}
        </div>
      </div>
    </>
  );
}
