// /api/organisation: the settings limits and prices depend on (time zone, fail mode, price
// for unknown models), validated with the field named and visible to the proxy at once; and
// what is kept of the traffic (content capture, days of retention), audited like the rest.
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { orgLimits } from "../../workers/limits/config-cache";
import { expectApiError, expectFieldError, otherOrganisation, rows } from "./api-helpers";
import { type Admin, admin, createUser } from "./helpers";

interface Organisation {
  id: string;
  name: string;
  timeZone: string;
  limitFailMode: "closed" | "open";
  defaultModelPrice: {
    usdPerMTok: Record<string, number>;
    microUsdPerMTok: Record<string, number>;
  } | null;
  captureContent: boolean;
  retentionDays: number | null;
}

const PRICE = { input: 1.5, output: 7.5, cacheWrite5m: 1.875, cacheWrite1h: 3, cacheRead: 0.15 };

let a: Admin;

beforeAll(async () => {
  a = await admin();
});

const get = () => a.json<Organisation>("/organisation");
const update = (body: unknown) => a.api("/organisation", { method: "PATCH", body });
const updated = (body: unknown) => a.json<Organisation>("/organisation", { method: "PATCH", body });

describe("the organisation", () => {
  it("starts in UTC, failing closed, with unknown models unpriced", async () => {
    expect(await get()).toMatchObject({
      id: a.orgId,
      name: "Acme",
      timeZone: "UTC",
      limitFailMode: "closed",
      defaultModelPrice: null,
      captureContent: false,
      retentionDays: null,
    });
  });

  it("takes an IANA time zone, stored as Intl spells it", async () => {
    expect((await updated({ timeZone: "Europe/Berlin" })).timeZone).toBe("Europe/Berlin");
    expect((await updated({ timeZone: "america/new_york" })).timeZone).toBe("America/New_York");
    expect((await get()).timeZone).toBe("America/New_York");
    const [row] = await rows<{ time_zone: string }>(
      "SELECT time_zone FROM organisations WHERE id = ?",
      a.orgId,
    );
    expect(row?.time_zone).toBe("America/New_York");
  });

  it("refuses a time zone that does not exist, naming timeZone, and keeps the old one", async () => {
    for (const timeZone of [
      "Mars/Olympus_Mons",
      "+05:00",
      "",
      "Europe/Berlinn",
      5,
      null,
      "x".repeat(65),
    ]) {
      await expectFieldError(await update({ timeZone }), "timeZone");
    }
    expect((await get()).timeZone).toBe("America/New_York");
  });

  it("switches the fail mode, and refuses modes that do not exist", async () => {
    expect((await updated({ limitFailMode: "open" })).limitFailMode).toBe("open");
    await expectFieldError(await update({ limitFailMode: "maybe" }), "limitFailMode");
    expect((await updated({ limitFailMode: "closed" })).limitFailMode).toBe("closed");
  });

  it("sets and clears the price for unknown models, stored in micro-dollars", async () => {
    const org = await updated({ defaultModelPrice: PRICE });
    expect(org.defaultModelPrice).toEqual({
      usdPerMTok: PRICE,
      microUsdPerMTok: {
        input: 1_500_000,
        output: 7_500_000,
        cacheWrite5m: 1_875_000,
        cacheWrite1h: 3_000_000,
        cacheRead: 150_000,
      },
    });
    const [row] = await rows<{ default_model_price: string }>(
      "SELECT default_model_price FROM organisations WHERE id = ?",
      a.orgId,
    );
    expect(JSON.parse(row?.default_model_price ?? "null")).toEqual(
      org.defaultModelPrice?.microUsdPerMTok,
    );
    const table = await a.json<{ defaultPrice: unknown }>("/model-prices");
    expect(table.defaultPrice).toEqual(org.defaultModelPrice);
    // Changing something else leaves the price alone; null clears it.
    expect((await updated({ name: "Acme Ltd" })).defaultModelPrice).toEqual(org.defaultModelPrice);
    expect((await updated({ defaultModelPrice: null })).defaultModelPrice).toBeNull();
  });

  it("refuses bad prices and names, naming the field", async () => {
    const bad: [unknown, string][] = [
      [{ defaultModelPrice: { ...PRICE, input: -0.01 } }, "defaultModelPrice"],
      [{ defaultModelPrice: { ...PRICE, output: 20_000 } }, "output"],
      [{ defaultModelPrice: { input: 1 } }, "cacheRead"],
      [{ defaultModelPrice: "free" }, "defaultModelPrice"],
      [{ name: "" }, "name"],
      [{ name: "x".repeat(121) }, "name"],
    ];
    for (const [body, field] of bad) await expectFieldError(await update(body), field);
    expect(await get()).toMatchObject({ name: "Acme Ltd", defaultModelPrice: null });
  });

  it("reaches the proxy's limit settings at once", async () => {
    expect((await orgLimits(env, a.orgId)).failMode).toBe("closed");
    await updated({ limitFailMode: "open", timeZone: "Asia/Tokyo", defaultModelPrice: PRICE });
    const settings = await orgLimits(env, a.orgId);
    expect(settings).toMatchObject({ failMode: "open", timeZone: "Asia/Tokyo" });
    expect(settings.defaultPrice).toMatchObject({ input: 1_500_000, cacheRead: 150_000 });
    await updated({ limitFailMode: "closed", timeZone: "UTC", defaultModelPrice: null });
    expect((await orgLimits(env, a.orgId)).defaultPrice).toBeUndefined();
  });
});

describe("content capture and retention", () => {
  const stored = async () => {
    const [row] = await rows<{ capture_content: number; retention_days: number | null }>(
      "SELECT capture_content, retention_days FROM organisations WHERE id = ?",
      a.orgId,
    );
    return row;
  };

  it("turns content capture on and off", async () => {
    expect((await updated({ captureContent: true })).captureContent).toBe(true);
    expect(await stored()).toMatchObject({ capture_content: 1 });
    expect((await get()).captureContent).toBe(true);
    expect((await updated({ captureContent: false })).captureContent).toBe(false);
    expect(await stored()).toMatchObject({ capture_content: 0 });
  });

  it("keeps logs for 1 to 3650 days, or forever (null)", async () => {
    for (const days of [1, 30, 3650]) {
      expect((await updated({ retentionDays: days })).retentionDays).toBe(days);
      expect(await stored()).toMatchObject({ retention_days: days });
    }
    // Changing something else leaves it alone; null means forever.
    expect((await updated({ captureContent: true })).retentionDays).toBe(3650);
    expect((await updated({ retentionDays: null })).retentionDays).toBeNull();
    expect(await stored()).toMatchObject({ retention_days: null, capture_content: 1 });
    await updated({ captureContent: false, retentionDays: 90 });
  });

  it("refuses days that are not a whole number from 1 to 3650, naming retentionDays", async () => {
    for (const retentionDays of [0, -1, 1.5, 3651, "30", true, Number.MAX_SAFE_INTEGER + 2]) {
      await expectFieldError(await update({ retentionDays }), "retentionDays");
    }
    for (const captureContent of ["yes", 1, null]) {
      await expectFieldError(await update({ captureContent }), "captureContent");
    }
    expect(await get()).toMatchObject({ captureContent: false, retentionDays: 90 });
  });

  it("leaves an audit entry with the settings before and after", async () => {
    await updated({ captureContent: true, retentionDays: 7 });
    const entry = await vi.waitFor(
      async () => {
        const [found] = await rows<{ before: string; after: string; outcome: string }>(
          "SELECT before, after, outcome FROM audit_log WHERE action = 'organisation.update' AND after LIKE '%\"retentionDays\":7%' ORDER BY at DESC",
        );
        if (!found) throw new Error("no audit entry yet");
        return found;
      },
      { timeout: 5_000, interval: 25 },
    );
    expect(entry.outcome).toBe("success");
    expect(JSON.parse(entry.before)).toMatchObject({ captureContent: false, retentionDays: 90 });
    expect(JSON.parse(entry.after)).toMatchObject({ captureContent: true, retentionDays: 7 });
    await updated({ captureContent: false, retentionDays: null });
  });
});

describe("organisations and roles", () => {
  it("changes only the caller's organisation", async () => {
    const other = await otherOrganisation();
    await updated({ name: "Acme Again", timeZone: "Europe/Paris" });
    const [theirs] = await rows(
      "SELECT name, time_zone FROM organisations WHERE id = ?",
      other.orgId,
    );
    expect(theirs).toEqual({ name: "Elsewhere", time_zone: "UTC" });
    expect((await get()).id).toBe(a.orgId);
  });

  it("refuses members (403) on reads and writes, who change nothing", async () => {
    const member = await createUser(a, "ned@acme.test");
    const forbidden = (res: Response) => expectApiError(res, 403, "permission_error");
    await forbidden(await member.api("/organisation"));
    await forbidden(
      await member.api("/organisation", {
        method: "PATCH",
        body: { limitFailMode: "open", name: "Pwned", captureContent: true, retentionDays: 1 },
      }),
    );
    await forbidden(
      await member.api("/organisation", { method: "PATCH", body: { retentionDays: 1 } }),
    );
    expect(await get()).toMatchObject({
      name: "Acme Again",
      limitFailMode: "closed",
      captureContent: false,
      retentionDays: null,
    });
  });
});
