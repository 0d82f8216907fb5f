// How long end-to-end tests wait. They wait for what they need (an element, a row, a page
// settling), never for a set time; these bounds only turn a hang into a failure. The machines
// that run them are shared and at times busy, so the bounds are generous: a slow machine
// makes a test slow, never red.

/** One wait for one thing: an element, a log row, a redirect. */
export const WAIT_MS = 60_000;

/** A test: above several waits in a row, so a failure names what it waited for. */
export const TEST_MS = 300_000;

/** A beforeAll/afterAll that arranges data, launches Chromium or starts a gateway. */
export const HOOK_MS = 300_000;
