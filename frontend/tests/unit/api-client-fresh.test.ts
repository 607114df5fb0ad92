// @vitest-environment node
import { readFileSync } from "node:fs";

import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";
import { describe, expect, it } from "vitest";

const schemaJson = new URL("../../openapi.json", import.meta.url);
const generatedTypes = new URL("../../src/api/schema.d.ts", import.meta.url);

function firstDifference(actual: string, expected: string): string {
  const actualLines = actual.split("\n");
  const expectedLines = expected.split("\n");
  const line = actualLines.findIndex((text, index) => text !== expectedLines[index]);
  const at = line === -1 ? actualLines.length : line;
  const committed = JSON.stringify(actualLines[at]);
  const generated = JSON.stringify(expectedLines[at]);
  return `line ${at + 1}: committed ${committed}, generated ${generated}`;
}

describe("the generated API client", () => {
  // What `npm run api:generate` writes: the CLI's banner followed by the printed AST, with the
  // same default options, so a byte-for-byte comparison catches a schema change nobody regenerated.
  it("matches the committed openapi.json", async () => {
    const expected = COMMENT_HEADER + astToString(await openapiTS(schemaJson, { silent: true }));
    const committed = readFileSync(generatedTypes, "utf8");
    if (committed !== expected) {
      const difference = firstDifference(committed, expected);
      expect.fail(`src/api/schema.d.ts is stale (${difference}): run \`make api-client\``);
    }
  }, 30_000);
});
