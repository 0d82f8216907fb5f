import type { MemberView, RoleView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { Field, formValues, useFormState } from "../../ui/form";
import { FormActions } from "../../ui/modal";
import { Notice } from "../../ui/states";
import { RoleOptions } from "./roles";

export function ChangeRoleForm(props: {
  member: MemberView;
  roles: RoleView[];
  onCancel: () => void;
  onSaved: () => void;
}) {
  const form = useFormState();
  const onSubmit = (event: Event) => {
    const v = formValues(event);
    void form.submit(async () => {
      await api.patch(`/users/${props.member.id}`, { role: v.role });
      props.onSaved();
    });
  };
  return (
    <form class="stack" onSubmit={onSubmit}>
      <Field label="Role" name="role" error={form.fields.role}>
        <select id="field-role" name="role" class="input">
          <RoleOptions roles={props.roles} selected={props.member.role} />
        </select>
      </Field>
      <p class="hint">The new role applies from their next request.</p>
      {form.error ? <Notice tone="error">{form.error}</Notice> : null}
      <FormActions busy={form.busy} submitLabel="Save role" onCancel={props.onCancel} />
    </form>
  );
}
