// Serve the production build: node <distDir>/standalone/server.js on PORT (3000) and HOSTNAME.
// The build directory is NEXT_DIST_DIR (default ".next"), as in next.config.ts.
import { existsSync } from "node:fs";
import { spawn } from "node:child_process";

const server = `${process.env.NEXT_DIST_DIR ?? ".next"}/standalone/server.js`;
if (!existsSync(server)) {
  console.error(`No production build found at ${server}: run \`npm run build\` first.`);
  process.exit(1);
}
const child = spawn(process.execPath, [server], {
  stdio: "inherit",
  env: { HOSTNAME: "127.0.0.1", PORT: "3000", ...process.env },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
