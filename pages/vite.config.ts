// The dashboard is a static Preact app built into dist/, served by Pages beside its Functions.
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  server: {
    // `vite` in pages/ for UI work: the API comes from a running `npm start`.
    proxy: { "/api": process.env.GATEHOUSE_URL ?? "http://127.0.0.1:8787" },
  },
});
