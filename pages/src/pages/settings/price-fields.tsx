// The organisation's price for models with no price of their own, in USD per million tokens.
import type { PriceView, TokenPriceFields } from "../../../../shared/api-types";
import { Field } from "../../ui/form";
import { fieldError } from "../../ui/modal";
import { CheckField } from "./check-field";

export const PRICE_FIELDS: { key: keyof TokenPriceFields; label: string }[] = [
  { key: "input", label: "Input" },
  { key: "output", label: "Output" },
  { key: "cacheWrite5m", label: "Cache write (5 min)" },
  { key: "cacheWrite1h", label: "Cache write (1 hour)" },
  { key: "cacheRead", label: "Cache read" },
];

export function readPrice(values: Record<string, string>): TokenPriceFields {
  const price = {} as TokenPriceFields;
  for (const { key } of PRICE_FIELDS) price[key] = Number(values[`price-${key}`] ?? "");
  return price;
}

export function DefaultPriceFields(props: {
  price: PriceView | null;
  priced: boolean;
  onPricedChange: (priced: boolean) => void;
  disabled: boolean;
  fields: Record<string, string>;
}) {
  const general = props.fields.defaultModelPrice;
  return (
    <fieldset class="plain" disabled={props.disabled}>
      <legend>Price for unknown models (USD per million tokens)</legend>
      <p class="hint">
        Used for requests to models with no built-in price and no price of your own. Without one,
        those requests are logged as unpriced.
      </p>
      <CheckField
        id="default-price-enabled"
        label="Price unknown models at a default price"
        checked={props.priced}
        onChange={props.onPricedChange}
      />
      {props.priced ? (
        <div class="form-grid price-grid">
          {PRICE_FIELDS.map(({ key, label }) => (
            <Field
              key={key}
              label={label}
              name={`price-${key}`}
              type="number"
              inputMode="decimal"
              min={0}
              max={10000}
              step="any"
              required
              defaultValue={props.price ? String(props.price.usdPerMTok[key]) : ""}
              error={fieldError(props.fields, `defaultModelPrice.${key}`)}
            />
          ))}
        </div>
      ) : null}
      {general ? <p class="field-error">{general}</p> : null}
    </fieldset>
  );
}
