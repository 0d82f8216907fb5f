// Every refusal of the admin API has one JSON shape: never HTML, never a stack trace.
import { beforeAll, describe, expect, it } from "vitest";
import { expectApiError, expectFieldError } from "./api-helpers";
import { type Admin, admin, call } from "./helpers";

let a: Admin;

beforeAll(async () => {
  a = await admin();
});

const bearer = () => ({ authorization: `Bearer ${a.token}` });

function send(path: string, init: { method?: string; type?: string; body?: string } = {}) {
  return call(path, {
    method: init.method ?? "POST",
    headers: { ...bearer(), ...(init.type ? { "content-type": init.type } : {}) },
    body: init.body,
  });
}

describe("request bodies", () => {
  it("a non-JSON body to a JSON route is 400", async () => {
    const body = JSON.stringify({ name: "x", kind: "passthrough" });
    await expectApiError(
      await send("/api/virtual-keys", { type: "text/plain", body }),
      400,
      "invalid_request_error",
      /JSON/,
    );
    await expectApiError(
      await send("/api/virtual-keys", { type: "application/x-www-form-urlencoded", body: "a=b" }),
      400,
      "invalid_request_error",
    );
    await expectApiError(await send("/api/virtual-keys", { body }), 400, "invalid_request_error");
  });

  it("malformed or empty JSON is 400, and the body is not echoed", async () => {
    const secretish = "sk-ant-should-not-be-echoed-1234";
    const res = await send("/api/provider-keys", {
      type: "application/json",
      body: `{"secret":"${secretish}",`,
    });
    const err = await expectApiError(res, 400, "invalid_request_error", /not valid JSON/);
    expect(JSON.stringify(err)).not.toContain(secretish);
    await expectApiError(
      await send("/api/provider-keys", { type: "application/json", body: "" }),
      400,
      "invalid_request_error",
    );
  });

  it("JSON that is not an object is 400", async () => {
    for (const body of ["null", "[]", '"text"', "42"]) {
      await expectApiError(
        await send("/api/virtual-keys", { type: "application/json", body }),
        400,
        "invalid_request_error",
      );
    }
  });

  it("validation errors list each field with a message", async () => {
    const res = await send("/api/users", {
      type: "application/json",
      body: JSON.stringify({ email: "not-an-email", name: "", role: "owner", password: "x" }),
    });
    const err = await expectFieldError(res, "email");
    const paths = (err.error.fields ?? []).map((f) => f.path).sort();
    expect(paths).toEqual(["email", "name", "password", "role"]);
    expect(err.error.fields?.every((f) => f.message.length > 0)).toBe(true);
  });

  it("a charset parameter on the content type is fine", async () => {
    const res = await send("/api/virtual-keys", {
      type: "application/json; charset=utf-8",
      body: JSON.stringify({ name: "charset", kind: "passthrough" }),
    });
    expect(res.status).toBe(201);
  });
});

describe("routes and methods", () => {
  it("an unknown /api path is a JSON 404", async () => {
    await expectApiError(await call("/api/nope"), 404, "not_found_error");
    await expectApiError(await send("/api/nope/deeper", { method: "GET" }), 404);
  });

  it("a known path with the wrong method is a JSON error, not HTML", async () => {
    const res = await send("/api/users", { method: "PUT" });
    expect([404, 405]).toContain(res.status);
    await expectApiError(res, res.status);
    await expectApiError(await send("/api/setup", { method: "DELETE" }), 404);
  });

  it("odd path parameters are a JSON 404, not a 500", async () => {
    for (const id of ["%E0%A4%A", "%00", "x".repeat(3000), "..%2F..%2Fusers", "vk_%F0%9F%94%91"]) {
      await expectApiError(await send(`/api/virtual-keys/${id}/reveal`), 404, "not_found_error");
      await expectApiError(await send(`/api/llm-proxies/${id}`, { method: "GET" }), 404);
    }
  });

  it("odd query strings are a JSON 400, not a 500", async () => {
    for (const q of ["limit=%ZZ", "from=%E0%A4%A", "status=1e400", "limit=1e3"]) {
      const res = await send(`/api/logs/llm?${q}`, { method: "GET" });
      expect(res.status, `${q}: ${await res.clone().text()}`).toBe(400);
      await expectApiError(res, 400, "invalid_request_error");
    }
  });
});

describe("credentials", () => {
  it("401s and 403s share the shape", async () => {
    await expectApiError(await call("/api/users"), 401, "authentication_error");
    await expectApiError(
      await call("/api/users", { headers: { authorization: "Bearer" } }),
      401,
      "authentication_error",
    );
    await expectApiError(
      await call("/api/users", { headers: { cookie: "gatehouse_session=ses_forged" } }),
      401,
      "authentication_error",
    );
  });
});
