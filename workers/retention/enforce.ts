// The Cron Trigger's job: log rows and captured payloads older than each organisation's
// retention are deleted in bounded batches. (Filled by issue 15.)
export async function enforceRetention(_env: Env): Promise<void> {}
