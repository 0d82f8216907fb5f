// Invitations, password-reset links and deactivation (being built)
import type { ApiRoute } from "./route";

export const invitationRoutes: ApiRoute[] = [];
