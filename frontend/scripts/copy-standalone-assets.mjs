// `next build` with output "standalone" leaves the static files beside, not inside, the server
// folder; copying them in makes <distDir>/standalone a complete app
// (`node <distDir>/standalone/server.js`).
// The build directory is NEXT_DIST_DIR (default ".next"), as in next.config.ts.
import { cpSync, existsSync } from "node:fs";

const distDir = process.env.NEXT_DIST_DIR ?? ".next";
const standalone = `${distDir}/standalone`;

if (!existsSync(`${standalone}/server.js`)) {
  console.error(
    `${standalone}/server.js is missing: is output "standalone" set in next.config.ts?`,
  );
  process.exit(1);
}
cpSync(`${distDir}/static`, `${standalone}/${distDir}/static`, { recursive: true });
if (existsSync("public")) cpSync("public", `${standalone}/public`, { recursive: true });
