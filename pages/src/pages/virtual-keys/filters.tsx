// Narrowing the key list: by owner (admins), by kind, and whether revoked keys show.
import type { MemberView } from "../../../../shared/api-types";

export function KeyFilters(props: {
  members: MemberView[] | null;
  owner: string;
  onOwner: (id: string) => void;
  kind: string;
  onKind: (kind: string) => void;
  showRevoked: boolean;
  onShowRevoked: (show: boolean) => void;
}) {
  return (
    <div class="filters">
      {props.members ? (
        <div class="field">
          <label for="filter-owner">Owner</label>
          <select
            id="filter-owner"
            value={props.owner}
            onChange={(e) => props.onOwner(e.currentTarget.value)}
          >
            <option value="">Everyone</option>
            {props.members.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name} ({m.email})
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div class="field">
        <label for="filter-kind">Kind</label>
        <select
          id="filter-kind"
          value={props.kind}
          onChange={(e) => props.onKind(e.currentTarget.value)}
        >
          <option value="">All kinds</option>
          <option value="standard">Standard</option>
          <option value="passthrough">Passthrough</option>
        </select>
      </div>
      <label class="checkbox">
        <input
          type="checkbox"
          checked={props.showRevoked}
          onChange={(e) => props.onShowRevoked(e.currentTarget.checked)}
        />
        <span>Show revoked</span>
      </label>
    </div>
  );
}
