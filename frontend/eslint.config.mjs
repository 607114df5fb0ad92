import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    ignores: [
      ".next*/**",
      ".e2e/**",
      "node_modules/**",
      "test-results/**",
      "playwright-report/**",
      "src/api/schema.d.ts",
      "next-env.d.ts",
    ],
  },
];

export default config;
