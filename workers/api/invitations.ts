// Bringing people in and looking after their accounts: invitations, password-reset links and
// deactivation (each in members/).
import { deactivationRoutes } from "./members/deactivation";
import { invitationCrudRoutes, invitationPublicRoutes } from "./members/invitations";
import { passwordResetRoutes } from "./members/password-resets";

export const invitationRoutes = [
  ...invitationPublicRoutes,
  ...invitationCrudRoutes,
  ...passwordResetRoutes,
  ...deactivationRoutes,
];
