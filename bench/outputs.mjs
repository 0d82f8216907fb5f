// What every part of the benchmark writes: the machine it ran on, its raw figures as JSON, and
// its own marked section of BENCHMARKS.md. Sections other than the main part's are kept when
// `npm run bench` rewrites the file, and always stand in the same order after it.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BENCHMARKS_FILE = fileURLToPath(new URL("../BENCHMARKS.md", import.meta.url));

/** The marked sections, each owned by one script, in the order they appear. */
export const SECTIONS = /** @type {const} */ ([
  "workerd",
  "breakdown",
  "mcp",
  "export",
  "before-after",
]);
/** @typedef {typeof SECTIONS[number]} SectionName */

/** @param {SectionName} name */
export const sectionStart = (name) => `<!-- ${name}-bench:start -->`;
/** @param {SectionName} name */
export const sectionEnd = (name) => `<!-- ${name}-bench:end -->`;

/** @param {string} file */
function readText(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** @param {string} text @param {SectionName} name */
function bounds(text, name) {
  const start = text.indexOf(sectionStart(name));
  const end = start === -1 ? -1 : text.indexOf(sectionEnd(name), start);
  return start === -1 || end === -1 ? null : { start, end: end + sectionEnd(name).length };
}

/**
 * A marked section of the file on disk, markers included, or "" if it has none.
 * @param {SectionName} name
 * @param {string} [file]
 */
export function keptSection(name, file = BENCHMARKS_FILE) {
  const text = readText(file);
  const at = bounds(text, name);
  return at ? text.slice(at.start, at.end) : "";
}

/**
 * Puts `section` (markers included) in the file: in place of the old one, else before the
 * first section that comes after it, else at the end. Then formats the file as Biome does.
 * @param {SectionName} name
 * @param {string} section
 * @param {string} [file]
 */
export function writeSection(name, section, file = BENCHMARKS_FILE) {
  const text = readText(file) || "# Benchmarks\n";
  const at = bounds(text, name);
  let next;
  if (at) {
    next = text.slice(0, at.start) + section + text.slice(at.end);
  } else {
    const later = SECTIONS.slice(SECTIONS.indexOf(name) + 1)
      .map((n) => bounds(text, n)?.start)
      .find((start) => start !== undefined);
    next =
      later === undefined
        ? `${text.replace(/\n*$/, "\n")}\n${section}\n`
        : `${text.slice(0, later)}${section}\n\n${text.slice(later)}`;
  }
  writeFileSync(file, next);
  formatWithBiome(file);
}

/**
 * Formats files as the project's Biome config does (Markdown tables padded, JSON style), so
 * `npm run lint` stays clean once they are committed.
 * @param {...string} files
 */
export function formatWithBiome(...files) {
  const biome = fileURLToPath(new URL("../node_modules/@biomejs/biome/bin/biome", import.meta.url));
  spawnSync(process.execPath, [biome, "format", "--write", ...files], { cwd: ROOT });
}

/** Writes raw figures as formatted JSON. @param {string} file @param {unknown} results */
export function writeResults(file, results) {
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  formatWithBiome(file);
}

/** The machine, with the load averages before the run and now. @param {number[]} loadBefore */
export function machineFacts(loadBefore) {
  const cpuList = cpus();
  return {
    cores: cpuList.length,
    cpu: cpuList[0]?.model ?? "unknown",
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    kernel: release(),
    loadBefore: loadBefore.map((l) => Number(l.toFixed(2))),
    loadAfter: loadavg().map((l) => Number(l.toFixed(2))),
  };
}
