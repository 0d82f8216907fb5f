// The dashboard in real Chromium (Debian's package, driven by playwright-core). Screenshots go
// to test-results/screenshots/, which git ignores, for people to look at.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { WAIT_MS } from "./waits";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = join(process.cwd(), "test-results", "screenshots");

export const DESKTOP = { width: 1280, height: 800 };
export const NARROW = { width: 390, height: 844 };

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export async function newPage(browser: Browser, viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  // Every wait of the page (elements, navigations, waitForFunction) is for what it needs, up to
  // this generous bound; shorter than the test's own, so a failure names what it waited for.
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  // A page that throws is a bug even when the test's own assertions pass.
  page.on("pageerror", (err) => {
    throw new Error(`The dashboard threw: ${err.message}`);
  });
  return page;
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

export async function signInThroughPage(
  page: Page,
  gateway: string,
  email: string,
  password: string,
) {
  await page.goto(`${gateway}/`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // The signed-in frame (the sidebar is folded away on narrow screens).
  await page.locator("main#main").waitFor();
}

/** How far the page scrolls sideways: more than 0 means something does not fit. */
export function horizontalOverflow(page: Page): Promise<number> {
  // A string, because the tests' TypeScript has no DOM.
  return page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
}
