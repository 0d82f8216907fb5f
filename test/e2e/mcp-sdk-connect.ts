// Connects the official MCP SDK client to a gateway's MCP endpoint as Claude Desktop does: the
// first attempt meets the 401, the SDK discovers, registers and sends "the user" to consent
// (driven through the dashboard's API as the admin), then it connects with its tokens.
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ADMIN, signIn } from "./admin-api";
import {
  type callbackServer,
  consentThroughApi,
  type MemoryOAuthProvider,
} from "./mcp-oauth-client";

export async function connectSdkClient(
  gateway: string,
  slug: string,
  provider: MemoryOAuthProvider,
  callback: Awaited<ReturnType<typeof callbackServer>>,
  requestInit?: RequestInit,
): Promise<Client> {
  const url = new URL(`${gateway}/v1/mcp/${slug}`);
  const transport = () =>
    new StreamableHTTPClientTransport(url, {
      authProvider: provider,
      ...(requestInit && { requestInit }),
    });
  const client = new Client({ name: "e2e", version: "1.0.0" });
  try {
    await client.connect(transport());
    return client;
  } catch (err) {
    if (!(err instanceof UnauthorizedError)) throw err;
  }
  const authorizationUrl = provider.authorizationUrl;
  if (!authorizationUrl) throw new Error("the SDK did not start authorization");
  const cookie = await signIn(gateway, ADMIN.email, ADMIN.password);
  const redirectTo = await consentThroughApi(gateway, authorizationUrl, cookie);
  await fetch(redirectTo);
  const code = await callback.nextCode();
  await transport().finishAuth(code);
  const connected = new Client({ name: "e2e", version: "1.0.0" });
  await connected.connect(transport());
  return connected;
}
