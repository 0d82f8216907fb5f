// Costs & limits: what the organisation spent through its LLM proxies, on whom and what, and
// the budgets and rate limits that bound it.
import { useState } from "preact/hooks";
import { useSession } from "../lib/session";
import { PageHeader } from "../ui/page";
import { Notice } from "../ui/states";
import { Breakdowns } from "./costs/breakdowns";
import { useDirectory } from "./costs/directory";
import { LimitsSection } from "./costs/limits-section";
import { PricesCard } from "./costs/prices-card";
import { SpendSection } from "./costs/spend-section";
import { RANGES, type RangeDays } from "./costs/usage-data";
import "./costs.css";

export function CostsPage() {
  const { can } = useSession();
  const [days, setDays] = useState<RangeDays>(30);
  const canCost = can("cost:read");
  const canLimits = can("limit:read");
  if (!canCost && !canLimits) {
    return (
      <>
        <PageHeader title="Costs & limits" />
        <Notice tone="info">
          Your role does not include costs or limits. Ask an admin of your organisation if you need
          to see spend or budgets.
        </Notice>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Costs & limits"
        description="Spend through your LLM proxies, by UTC day, and the budgets and rate limits that bound it."
        actions={canCost ? <RangePicker value={days} onChange={setDays} /> : null}
      />
      <CostsBody days={days} canCost={canCost} canLimits={canLimits} />
    </>
  );
}

function CostsBody(props: { days: RangeDays; canCost: boolean; canLimits: boolean }) {
  const { can } = useSession();
  const directory = useDirectory();
  return (
    <>
      {props.canCost ? (
        <>
          <SpendSection days={props.days} />
          <Breakdowns days={props.days} directory={directory} />
        </>
      ) : (
        <Notice tone="info">Your role does not include spend figures; limits are below.</Notice>
      )}
      {props.canLimits ? <LimitsSection directory={directory} /> : null}
      {can("price:read") ? <PricesCard /> : null}
    </>
  );
}

function RangePicker(props: { value: RangeDays; onChange: (days: RangeDays) => void }) {
  return (
    <fieldset class="segmented">
      <legend class="visually-hidden">Period</legend>
      {RANGES.map((d) => (
        <button
          key={d}
          type="button"
          aria-pressed={props.value === d}
          onClick={() => props.onChange(d)}
        >
          {d} days
        </button>
      ))}
    </fieldset>
  );
}
