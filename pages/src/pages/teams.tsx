// Teams: named groups of people. LLM proxies (and later MCP gateways) can be restricted to
// teams, and Costs & limits groups spend by team. The list is /teams; one team is
// /teams?team=<id>, so the browser's back button returns to the list.
import "./teams/teams.css";
import { useLocation } from "preact-iso";
import { useSession } from "../lib/session";
import { NoAccess } from "../ui/modal";
import { TeamDetailView } from "./teams/team-detail";
import { TeamList } from "./teams/team-list";

export function TeamsPage() {
  const { can } = useSession();
  const { query } = useLocation();
  if (!can("team:read")) return <NoAccess title="Teams" permission="team:read" />;
  const id = query.team;
  return id ? <TeamDetailView key={id} id={id} /> : <TeamList />;
}
