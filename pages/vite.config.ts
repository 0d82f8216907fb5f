// The dashboard is a static Preact app built into dist/, served by Pages beside its Functions.
import { defineConfig } from "vite";

// `vite` in pages/ for UI work, against a running gateway (`GATEHOUSE_WORKER_ONLY=1 npm start`).
const gateway = process.env.GATEHOUSE_URL ?? "http://127.0.0.1:8787";

export default defineConfig({
  root: import.meta.dirname,
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  server: {
    proxy: {
      "/api": {
        target: gateway,
        changeOrigin: true,
        // The API refuses cookie-authenticated changes from another origin; the dev server
        // stands in for the dashboard's own origin.
        configure: (proxy) => proxy.on("proxyReq", (req) => req.setHeader("origin", gateway)),
      },
    },
  },
});
