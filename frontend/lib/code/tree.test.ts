import { describe, expect, it } from "vitest";

import { buildTree, languageOf, pathProblem } from "./tree";

const file = (path: string) => ({ path, version: `sha256:${path}`, size: 1 });

describe("buildTree", () => {
  it("nests files in folders, sorted", () => {
    const root = buildTree([file("lib/tools.py"), file("agent.py"), file("lib/deep/x.py"), file("README.md")]);
    expect(root.files.map((f) => f.name)).toEqual(["agent.py", "README.md"]);
    expect(root.folders.map((f) => f.path)).toEqual(["lib"]);
    expect(root.folders[0].files.map((f) => f.path)).toEqual(["lib/tools.py"]);
    expect(root.folders[0].folders[0]).toMatchObject({ name: "deep", path: "lib/deep" });
  });
});

describe("pathProblem", () => {
  it("refuses empty, absolute, dotted and existing paths", () => {
    expect(pathProblem(" ", [])).toMatch(/Enter/);
    expect(pathProblem("/etc/x", [])).toMatch(/relative/);
    expect(pathProblem("a/../b.py", [])).toMatch(/relative/);
    expect(pathProblem("a//b.py", [])).toMatch(/relative/);
    expect(pathProblem("agent.py", ["agent.py"])).toBe("agent.py already exists.");
    expect(pathProblem("lib/new.py", ["agent.py"])).toBeNull();
  });
});

describe("languageOf", () => {
  it("highlights Python", () => {
    expect(languageOf("lib/x.py")).toBe("python");
    expect(languageOf("requirements.txt")).toBe("plaintext");
  });
});
