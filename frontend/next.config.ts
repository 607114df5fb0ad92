import type { NextConfig } from "next";

import packageJson from "./package.json" with { type: "json" };

const config: NextConfig = {
  // One self-contained server (node server.js) for the container image and `make run`.
  output: "standalone",
  // Several builds or dev servers can share one checkout (parallel work, tests)
  // with their own dirs.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  reactStrictMode: true,
  poweredByHeader: false,
  // The app never pulls fonts, images or scripts from another host.
  images: { unoptimized: true },
  env: { NEXT_PUBLIC_APP_VERSION: process.env.APP_VERSION ?? packageJson.version },
};

export default config;
