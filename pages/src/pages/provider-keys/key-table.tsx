// The organisation's provider keys: never the secret, only its last four characters.
import type { ProviderKeyView } from "../../../../shared/api-types";
import { formatDate } from "../../lib/format";
import { shortDate } from "../../ui/modal";
import { EditDeleteButtons } from "../../ui/resource-card";
import { ActionsHead } from "../../ui/table-head";

export function ProviderKeyTable(props: {
  keys: ProviderKeyView[];
  canEdit: boolean;
  canDelete: boolean;
  onEdit: (key: ProviderKeyView) => void;
  onDelete: (key: ProviderKeyView) => void;
}) {
  const actions = props.canEdit || props.canDelete;
  return (
    <div class="table-wrap">
      <table class="stack-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col" class="col-optional">
              Provider
            </th>
            <th scope="col">Secret</th>
            <th scope="col">Base URL</th>
            <th scope="col">Created</th>
            {actions ? <ActionsHead /> : null}
          </tr>
        </thead>
        <tbody>
          {props.keys.map((k) => (
            <tr key={k.id}>
              <td class="name-cell">
                <strong>{k.name}</strong>
              </td>
              <td class="col-optional">{k.provider === "anthropic" ? "Anthropic" : k.provider}</td>
              <td class="nowrap status-cell">
                <code class="mono">
                  <span aria-hidden="true">••••</span>
                  <span class="visually-hidden">ending in </span>
                  {k.secretLast4}
                </code>
              </td>
              <td data-label="Base URL">
                {k.baseUrl ? (
                  <code class="mono url-text">{k.baseUrl}</code>
                ) : (
                  <span class="muted">Anthropic default</span>
                )}
              </td>
              <td class="nowrap" data-label="Created" title={formatDate(k.createdAt)}>
                {shortDate(k.createdAt)}
              </td>
              {actions ? (
                <td class="actions">
                  <EditDeleteButtons
                    name={k.name}
                    canEdit={props.canEdit}
                    canDelete={props.canDelete}
                    onEdit={() => props.onEdit(k)}
                    onDelete={() => props.onDelete(k)}
                  />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
