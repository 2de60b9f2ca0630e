/** The committed client types must equal what openapi-typescript makes of api/openapi.json
 * (`npm run gen:api` rewrites them). */

import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

import openapiTS, { astToString } from "openapi-typescript";
import { expect, it } from "vitest";

// Fields with defaults stay optional: the same schemas are sent (where they may be left out)
// and received.
const here = import.meta.dirname;

it("lib/api/schema.d.ts is generated from the committed api/openapi.json", async () => {
  const document = pathToFileURL(path.resolve(here, "../../../api/openapi.json"));
  const generated = astToString(await openapiTS(document, { defaultNonNullable: false }));
  const committed = readFileSync(path.join(here, "schema.d.ts"), "utf8");
  // The CLI adds a banner; compare the declarations themselves.
  const body = (text: string) => text.slice(text.indexOf("export"));
  expect(body(committed)).toBe(body(generated));
}, 60_000);
