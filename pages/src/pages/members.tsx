// Members: the people of the organisation, their roles and status, invitation links, and the
// roles themselves. Admins copy links (invitations, password resets) to people themselves: no
// mail server is involved.
import "./members.css";
import type { RoleView } from "../../../shared/api-types";
import { useSession } from "../lib/session";
import { useResource } from "../lib/use-resource";
import { NoAccess } from "../ui/modal";
import { PageHeader } from "../ui/page";
import { InvitationsCard } from "./members/invitations-card";
import { PeopleCard } from "./members/people-card";
import { loadRoles } from "./members/roles";
import { RolesCard } from "./members/roles-card";

export function MembersPage() {
  const { can } = useSession();
  // One list for every card, so a role made or renamed here shows at once in the people's
  // roles and the invitation's choices.
  const roles = useResource<RoleView[] | null>(
    () => (can("role:read") ? loadRoles() : Promise.resolve(null)),
    [],
  );
  if (!can("member:read")) return <NoAccess title="Members" permission="member:read" />;
  return (
    <>
      <PageHeader
        title="Members"
        description="Who can use Gatehouse, with which role. Invite people with a link you send them yourself."
      />
      <PeopleCard roles={roles} />
      {can("member:create") ? <InvitationsCard roles={roles} /> : null}
      {can("role:read") ? <RolesCard roles={roles} /> : null}
    </>
  );
}
