// Which ID-token claim the mappings read, the role given when none matches, and the role
// and team mappings themselves.
import { Field } from "../../ui/form";
import { MappingEditor } from "./mapping-editor";
import type { SsoDraft } from "./sso-draft";
import { type Option, withCurrent } from "./sso-options";

export function MappingFields(props: {
  draft: SsoDraft;
  set: (patch: Partial<SsoDraft>) => void;
  fields: Record<string, string>;
  roles: Option[];
  teams: Option[] | null;
  disabled: boolean;
  editable: boolean;
}) {
  const { draft, set, fields } = props;
  const roles = withCurrent(props.roles, [
    draft.oidcDefaultRole,
    ...draft.roleRows.map((r) => r.target),
  ]);
  return (
    <section class="settings-section" aria-labelledby="sso-mapping-title">
      <h3 id="sso-mapping-title">Roles and teams from the identity provider</h3>
      <div class="form-grid">
        <Field
          label="Role claim"
          name="oidcRoleClaim"
          placeholder="groups"
          spellcheck={false}
          autoComplete="off"
          value={draft.oidcRoleClaim}
          onInput={(e) => set({ oidcRoleClaim: e.currentTarget.value })}
          hint="The ID-token claim (a string or a list) the mappings below read, e.g. groups."
          error={fields.oidcRoleClaim}
        />
        <Field
          label="Default role"
          name="oidcDefaultRole"
          hint="Given to a new SSO user when no role mapping matches."
          error={fields.oidcDefaultRole}
        >
          <select
            id="field-oidcDefaultRole"
            class="input"
            value={draft.oidcDefaultRole}
            onChange={(e) => set({ oidcDefaultRole: e.currentTarget.value })}
          >
            {roles.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <MappingEditor
        id="sso-role-mapping"
        legend="Role mapping"
        hint="A claim value → the role it gives. The first row that matches wins."
        noun="role"
        options={roles}
        rows={draft.roleRows}
        onChange={(roleRows) => set({ roleRows })}
        errorFor={(value) => fields[`oidcRoleMapping.${value}`]}
        disabled={props.disabled}
        editable={props.editable}
      />
      {fields.oidcRoleMapping ? <p class="field-error">{fields.oidcRoleMapping}</p> : null}
      {props.teams === null ? null : props.teams.length === 0 && draft.teamRows.length === 0 ? (
        <p class="hint">
          Team mapping puts people in teams by a claim value. <a href="/teams">Create a team</a>{" "}
          first to use it.
        </p>
      ) : (
        <MappingEditor
          id="sso-team-mapping"
          legend="Team mapping"
          hint="A claim value → a team. Membership of mapped teams follows the claim at every sign-in."
          noun="team"
          options={withCurrent(
            props.teams,
            draft.teamRows.map((r) => r.target),
          )}
          rows={draft.teamRows}
          onChange={(teamRows) => set({ teamRows })}
          errorFor={(value) => fields[`oidcTeamMapping.${value}`]}
          disabled={props.disabled}
          editable={props.editable}
        />
      )}
      {fields.oidcTeamMapping ? <p class="field-error">{fields.oidcTeamMapping}</p> : null}
    </section>
  );
}
