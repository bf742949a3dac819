import { fileURLToPath } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

// During `vite` development the admin API lives on a running kiro-ts (or ui/dev/mock-admin.ts).
const adminTarget = process.env.KIRO_ADMIN_URL ?? "http://127.0.0.1:8990";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [solid(), tailwindcss()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Everything stays a file of its own: the server's CSP allows no inline script and no data: fonts.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // A slow transform on a busy machine is no news to whoever runs `bun run demo`.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: { proxy: { "/admin": adminTarget } },
});
