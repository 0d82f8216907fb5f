// Makes an invitation and shows its link once, for the admin to send.
import { useState } from "preact/hooks";
import type { InvitationView, ListOf, RoleView, TeamView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { formatDate } from "../../lib/format";
import { useSession } from "../../lib/session";
import { useResource } from "../../lib/use-resource";
import { Field, formValues, useFormState } from "../../ui/form";
import { FormActions, TokenDisplay } from "../../ui/modal";
import { Notice } from "../../ui/states";
import { leastPrivilegedRole, RoleOptions } from "./roles";

export function InviteForm(props: {
  roles: RoleView[] | null;
  onClose: () => void;
  onCreated: () => void;
}) {
  const { can } = useSession();
  const form = useFormState();
  const [created, setCreated] = useState<(InvitationView & { url: string }) | null>(null);
  const teams = useResource<TeamView[]>(
    () =>
      can("team:read")
        ? api.get<ListOf<TeamView>>("/teams").then((r) => r.data)
        : Promise.resolve([]),
    [],
  );

  if (created) {
    return (
      <div class="stack">
        <Notice tone="success">
          Invitation made for {created.email}. Send them this link yourself; it works once, until{" "}
          {formatDate(created.expiresAt)}.
        </Notice>
        <TokenDisplay token={created.url} label="Invitation link" />
        <div class="dialog-actions">
          <button type="button" class="button primary" onClick={props.onClose}>
            Done
          </button>
        </div>
      </div>
    );
  }

  const onSubmit = (event: Event) => {
    const v = formValues(event);
    const form_ = event.currentTarget as HTMLFormElement;
    const teamIds = [...new FormData(form_).getAll("teamIds")].map(String);
    void form.submit(async () => {
      const invitation = await api.post<InvitationView & { url: string }>("/invitations", {
        email: v.email,
        role: v.role,
        teamIds,
        expiresInHours: Number(v.expiresInHours),
      });
      setCreated(invitation);
      props.onCreated();
    });
  };
  const teamList = teams.state === "ready" ? teams.data : [];
  return (
    <form class="stack" onSubmit={onSubmit}>
      <Field label="Email" name="email" type="email" required error={form.fields.email} />
      <Field label="Role" name="role" error={form.fields.role}>
        <select id="field-role" name="role" class="input">
          {props.roles ? (
            <RoleOptions roles={props.roles} selected={leastPrivilegedRole(props.roles)} />
          ) : (
            <option value="member">Member</option>
          )}
        </select>
      </Field>
      {teamList.length > 0 ? (
        <fieldset class="field">
          <legend>Teams</legend>
          {teamList.map((t) => (
            <label key={t.id} class="checkbox">
              <input type="checkbox" name="teamIds" value={t.id} /> {t.name}
            </label>
          ))}
        </fieldset>
      ) : null}
      <Field label="Link valid for" name="expiresInHours" error={form.fields.expiresInHours}>
        <select id="field-expiresInHours" name="expiresInHours" class="input">
          <option value="24">1 day</option>
          <option value="72" selected>
            3 days
          </option>
          <option value="168">7 days</option>
          <option value="720">30 days</option>
        </select>
      </Field>
      {form.error ? <Notice tone="error">{form.error}</Notice> : null}
      <FormActions busy={form.busy} submitLabel="Create invitation" onCancel={props.onClose} />
    </form>
  );
}
