// `server.address` and `server.port` of a URL, as the OpenTelemetry conventions name them.
export function hostAndPort(url: string): { serverAddress?: string; serverPort?: number } {
  try {
    const u = new URL(url);
    const port = u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
    return { serverAddress: u.hostname, serverPort: port };
  } catch {
    return {};
  }
}
