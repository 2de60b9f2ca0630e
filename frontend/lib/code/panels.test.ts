import { describe, expect, it } from "vitest";

import { DEFAULT_PANELS, parsePanels, serializePanels, togglePanel } from "./panels";

describe("code editor panels", () => {
  it("opens both panels when nothing is stored", () => {
    expect(parsePanels(null)).toEqual({ files: true, tools: true });
    expect(parsePanels("")).toEqual(DEFAULT_PANELS);
  });

  it("round-trips what was stored", () => {
    const panels = { files: false, tools: true };
    expect(parsePanels(serializePanels(panels))).toEqual(panels);
  });

  it("falls back per field on malformed storage", () => {
    expect(parsePanels("{not json")).toEqual(DEFAULT_PANELS);
    expect(parsePanels("[1,2]")).toEqual(DEFAULT_PANELS);
    expect(parsePanels('"files"')).toEqual(DEFAULT_PANELS);
    expect(parsePanels('{"files": "no", "tools": false}')).toEqual({ files: true, tools: false });
  });

  it("toggles one panel and leaves the other", () => {
    expect(togglePanel({ files: true, tools: true }, "files")).toEqual({ files: false, tools: true });
    expect(togglePanel({ files: false, tools: false }, "tools")).toEqual({ files: false, tools: true });
  });
});
