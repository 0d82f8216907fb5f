// Vite's `?raw` imports (a file's text), used by workers tests that read the repository's own
// configuration, such as wrangler.toml, inside workerd.
declare module "*?raw" {
  const text: string;
  export default text;
}
