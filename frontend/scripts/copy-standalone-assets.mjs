// `next build` with output "standalone" leaves the static files beside, not inside, the server
// folder; copying them in makes .next/standalone a complete app (`node .next/standalone/server.js`).
import { cpSync, existsSync } from "node:fs";

cpSync(".next/static", ".next/standalone/.next/static", { recursive: true });
if (existsSync("public")) cpSync("public", ".next/standalone/public", { recursive: true });
