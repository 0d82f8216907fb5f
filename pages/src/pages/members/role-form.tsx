// A custom role's name, description and permissions, grouped by what they act on.
import type { RoleView } from "../../../../shared/api-types";
import { api } from "../../lib/api";
import { Field, formValues, useFormState } from "../../ui/form";
import { FormActions } from "../../ui/modal";
import { Notice } from "../../ui/states";

function byResource(permissions: string[]): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const p of permissions) {
    const [resource = p] = p.split(":");
    groups.set(resource, [...(groups.get(resource) ?? []), p]);
  }
  return [...groups];
}

export function RoleForm(props: {
  role: RoleView | null;
  permissions: string[];
  onCancel: () => void;
  onSaved: () => void;
}) {
  const form = useFormState();
  const held = new Set(props.role?.permissions ?? []);
  const onSubmit = (event: Event) => {
    const v = formValues(event);
    const chosen = [
      ...new FormData(event.currentTarget as HTMLFormElement).getAll("permissions"),
    ].map(String);
    const body = { name: v.name, description: v.description || null, permissions: chosen };
    void form.submit(async () => {
      if (props.role) await api.patch(`/roles/${props.role.id}`, body);
      else await api.post("/roles", body);
      props.onSaved();
    });
  };
  return (
    <form class="stack" onSubmit={onSubmit}>
      <Field
        label="Name"
        name="name"
        required
        defaultValue={props.role?.name ?? ""}
        error={form.fields.name}
      />
      <Field
        label="Description"
        name="description"
        defaultValue={props.role?.description ?? ""}
        error={form.fields.description}
      />
      <fieldset class="field permission-grid">
        <legend>Permissions</legend>
        {form.fields.permissions ? <p class="field-error">{form.fields.permissions}</p> : null}
        {byResource(props.permissions).map(([resource, names]) => (
          <div key={resource} class="permission-group">
            <p class="permission-resource">{resource}</p>
            {names.map((p) => (
              <label key={p} class="checkbox">
                <input type="checkbox" name="permissions" value={p} defaultChecked={held.has(p)} />
                {p.split(":")[1]}
              </label>
            ))}
          </div>
        ))}
      </fieldset>
      {form.error ? <Notice tone="error">{form.error}</Notice> : null}
      <FormActions
        busy={form.busy}
        submitLabel={props.role ? "Save role" : "Create role"}
        onCancel={props.onCancel}
      />
    </form>
  );
}
