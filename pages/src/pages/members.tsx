// Members: the people of the organisation, their roles and status, invitation links, and the
// roles themselves. Admins copy links (invitations, password resets) to people themselves: no
// mail server is involved.
import "./members.css";
import { useSession } from "../lib/session";
import { NoAccess } from "../ui/modal";
import { PageHeader } from "../ui/page";
import { InvitationsCard } from "./members/invitations-card";
import { PeopleCard } from "./members/people-card";
import { RolesCard } from "./members/roles-card";

export function MembersPage() {
  const { can } = useSession();
  if (!can("member:read")) return <NoAccess title="Members" permission="member:read" />;
  return (
    <>
      <PageHeader
        title="Members"
        description="Who can use Gatehouse, with which role. Invite people with a link you send them yourself."
      />
      <PeopleCard />
      {can("member:create") ? <InvitationsCard /> : null}
      {can("role:read") ? <RolesCard /> : null}
    </>
  );
}
