/** The custom-agent editor against the real API: create a custom agent, edit files in Monaco
 * (a stale save shows the API's 409), see a validation error inline, deploy, follow the
 * revisions (a build failure the operator reports, the diff, a rollback), the build log's
 * answer, and an assistant proposal applied. In a workspace of its own, so its OpenAI key and
 * agents touch no other spec. */

import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

import { csrfToken } from "./support/api";
import { kubernetesUrl, validKeys } from "./support/env";
import { expectNoHorizontalScroll, saveScreenshot } from "./support/pages";

const WS = "coders";
const AGENT = "concierge";
const code = (tail = "") => `/api/v1/workspaces/${WS}/agents/${AGENT}/code${tail}`;

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext({ storageState: "artifacts/.auth/admin.json" });
  const headers = { "X-CSRF-Token": await csrfToken(context) };
  const created = await context.request.post("/api/v1/workspaces", { headers, data: { namespace: WS } });
  expect([201, 409], await created.text()).toContain(created.status());
  const key = await context.request.put(`/api/v1/workspaces/${WS}/keys/openai`, { headers, data: { value: validKeys.openai } });
  expect(key.ok(), await key.text()).toBe(true);
  await context.close();
});

/** Replace the open file's text in Monaco and save with Ctrl/Cmd+S. */
async function replaceAndSave(page: Page, text: string) {
  await page.locator(".monaco-editor .view-lines").first().click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText(text);
  await page.keyboard.press("ControlOrMeta+S");
}

async function reportBuildFailed(request: APIRequestContext, message: string) {
  const url = `${kubernetesUrl}/apis/arkenos.io/v1alpha1/namespaces/${WS}/voiceagents/${AGENT}`;
  const agent = await (await request.get(url)).json();
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const condition = { type: "Built", status: "False", reason: "BuildFailed", message, lastTransitionTime: now, observedGeneration: agent.metadata.generation };
  const patched = await request.patch(`${url}/status`, {
    headers: { "Content-Type": "application/merge-patch+json" },
    data: { status: { observedGeneration: agent.metadata.generation, conditions: [condition] } },
  });
  expect(patched.ok(), await patched.text()).toBe(true);
}

/** A build Job for `digest` in the agent's namespace, as the operator creates it. */
async function startBuildJob(request: APIRequestContext, digest: string) {
  const job = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: `${AGENT}-build-e2e`,
      namespace: WS,
      labels: { "arkenos.io/agent": AGENT, "app.kubernetes.io/component": "build" },
      annotations: { "arkenos.io/bundle-digest": digest },
    },
    spec: { template: { spec: { restartPolicy: "Never", containers: [] } } },
  };
  const created = await request.post(`${kubernetesUrl}/apis/batch/v1/namespaces/${WS}/jobs`, { data: job });
  expect(created.status(), await created.text()).toBe(201);
}

test("create a custom agent, edit, validate, deploy, diff, roll back and apply an assistant edit", async ({ page, request, context }) => {
  test.slow();
  await page.goto(`/w/${WS}/agents`);
  await page.getByRole("button", { name: "New custom agent" }).click();
  await page.getByLabel("Name").fill("Not A Name");
  await page.getByRole("button", { name: "Create and edit the code" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "lowercase letters" })).toBeVisible();
  await page.getByLabel("Name").fill(AGENT);
  await page.getByRole("button", { name: "Create and edit the code" }).click();
  await expect(page).toHaveURL(new RegExp(`/w/${WS}/agents/${AGENT}/code$`));

  const files = page.getByRole("navigation", { name: "Files" });
  await expect(files.getByRole("button", { name: "agent.py" })).toHaveAttribute("aria-current", "true");
  // Monaco is a large script: on a busy machine its first parse takes a while.
  await expect(page.locator(".monaco-editor")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText("No problems: the draft would deploy.")).toBeVisible();

  // A new file with a syntax error: the marker in the editor and the problem in the list.
  await files.getByRole("button", { name: "New file" }).click();
  await page.getByLabel("Path").fill("helpers.py");
  await page.getByRole("button", { name: "Create file" }).click();
  await expect(page.getByTestId("open-file")).toHaveText("helpers.py");
  await replaceAndSave(page, "def broken(:\n    pass\n");
  const problems = page.getByTestId("problems");
  await expect(problems.getByRole("button", { name: /helpers\.py:1/ })).toBeVisible();
  await expect(page.locator(".monaco-editor .squiggly-error").first()).toBeAttached();
  await expect(files.getByRole("button", { name: /helpers\.py/ }).getByLabel("1 problem")).toBeVisible();

  // Someone else saves the file meanwhile: this save is refused with the API's message.
  const current = await (await context.request.get(code("/files/helpers.py"))).json();
  const theirs = await context.request.put(code("/files/helpers.py"), {
    headers: { "X-CSRF-Token": await csrfToken(context) },
    data: { content: "THEIRS = True\n", baseVersion: current.version },
  });
  expect(theirs.status()).toBe(200);
  await replaceAndSave(page, "MINE = True\n");
  const stale = page.getByTestId("stale-file");
  await expect(stale).toBeVisible();
  await expect(stale).toContainText(/version|changed/i);
  await stale.getByRole("button", { name: /Reload the latest version/ }).click();
  await expect(page.locator(".monaco-editor .view-lines")).toContainText("THEIRS = True");

  await replaceAndSave(page, "VALUE = 1\n");
  await expect(page.getByText("No problems: the draft would deploy.")).toBeVisible();

  // The first deploy creates the agent; the revision waits for the operator.
  await page.getByLabel("What changed").fill("First version");
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  const first = page.getByTestId("revision-1");
  await expect(first).toContainText("First version");
  await expect(first.getByTestId("revision-state")).toHaveText("Building");

  await replaceAndSave(page, "VALUE = 2\n");
  await expect(page.getByText("unsaved changes")).toHaveCount(0);
  await page.getByLabel("What changed").fill("Second version");
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  const second = page.getByTestId("revision-2");
  await expect(second.getByTestId("revision-state")).toHaveText("Building");
  await expect(first.getByTestId("revision-state")).toHaveText("Superseded");

  // The operator reports the build failed: the revision says so, with its message.
  await reportBuildFailed(request, "pip could not install nosuchpackage==1.0");
  await expect(second.getByTestId("revision-state")).toHaveText("Build failed");
  await expect(second).toContainText("pip could not install nosuchpackage==1.0");

  await second.getByRole("button", { name: "Diff from #1" }).click();
  const diff = page.getByTestId("diff-2");
  await expect(diff.locator('tr[data-kind="removed"]')).toContainText("VALUE = 1");
  await expect(diff.locator('tr[data-kind="added"]')).toContainText("VALUE = 2");

  // Roll back to the first revision, after a confirmation.
  await first.getByRole("button", { name: "Roll back" }).click();
  const dialog = page.getByRole("dialog", { name: "Roll back to revision 1?" });
  await dialog.getByRole("button", { name: "Roll back" }).click();
  const third = page.getByTestId("revision-3");
  await expect(third).toContainText("Roll back to revision 1");
  await expect(third).toContainText("rollback to #1");

  // The build log: none yet, then a build whose pod has not started.
  await page.getByRole("tab", { name: "Build" }).click();
  await expect(page.getByTestId("build-log-empty")).toContainText("has no build");
  const revisions = await (await context.request.get(code("/revisions"))).json();
  await startBuildJob(request, revisions[0].digest);
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(page.getByTestId("build-log-empty")).toContainText(`build ${AGENT}-build-e2e has no pod yet`);

  // The assistant proposes a new file; it is applied only when the person says so.
  await page.getByRole("tab", { name: "Assistant" }).click();
  await page.getByLabel("Ask the assistant").fill("Please greet in French");
  await page.getByRole("button", { name: "Ask" }).click();
  const proposal = page.getByTestId("proposal");
  await expect(proposal).toContainText("greeting.py");
  await expect(proposal).toContainText("Add a French greeting");
  await expect(proposal.getByTestId("proposal-diff")).toContainText("Bonjour");
  await expect(files.getByRole("button", { name: "greeting.py" })).toHaveCount(0);
  await proposal.getByRole("button", { name: "Apply to the draft" }).click();
  await expect(proposal.getByText(/^Applied/)).toBeVisible();
  await expect(files.getByRole("button", { name: "greeting.py" })).toBeVisible();
  await files.getByRole("button", { name: "greeting.py" }).click();
  await expect(page.locator(".monaco-editor .view-lines")).toContainText("Bonjour");

  // Rename and delete a file.
  await page.getByRole("button", { name: "Rename" }).click();
  await page.getByLabel("Path").fill("lib/greeting.py");
  await page.getByRole("dialog").getByRole("button", { name: "Rename" }).click();
  await expect(page.getByTestId("open-file")).toHaveText("lib/greeting.py");
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete file" }).click();
  await expect(files.getByRole("button", { name: "greeting.py" })).toHaveCount(0);
});

test("the editor gets the row at 1280 px; its panels fold from the keyboard, keep their state and fit 375 px", async ({ page }) => {
  test.slow(); // Monaco's first parse, twice
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`/w/${WS}/agents/${AGENT}/code`);
  const monaco = page.locator(".monaco-editor").first();
  await expect(monaco).toBeVisible({ timeout: 60_000 });
  const width = async () => (await monaco.boundingBox())?.width ?? 0;
  const filesToggle = page.getByRole("button", { name: "Files", exact: true });
  const toolsToggle = page.getByRole("button", { name: "Tools", exact: true });
  const files = page.getByRole("navigation", { name: "Files" });
  const tools = page.getByRole("region", { name: "Tools" });

  // Both panels open, and still Monaco has most of the row, with the file's name in full.
  await expect(filesToggle).toHaveAttribute("aria-expanded", "true");
  await expect(toolsToggle).toHaveAttribute("aria-expanded", "true");
  await expect(files).toBeVisible();
  await expect(tools).toBeVisible();
  expect(await width(), "Monaco's width at 1280 px").toBeGreaterThanOrEqual(700);
  const name = page.getByTestId("open-file");
  await expect(name).toHaveText("agent.py");
  expect(await name.evaluate((el) => el.scrollWidth <= el.clientWidth && getComputedStyle(el).textOverflow !== "ellipsis"), "the file name is not clipped").toBe(true);

  // Fold the file tree with Enter: the editor takes its room.
  const withFiles = await width();
  await filesToggle.focus();
  await page.keyboard.press("Enter");
  await expect(filesToggle).toHaveAttribute("aria-expanded", "false");
  await expect(files).toBeHidden();
  await expect.poll(width).toBeGreaterThan(withFiles + 150);

  // Fold the tools with Space; what the panel held is still there when it comes back.
  await page.getByLabel("What changed").fill("Kept while folded");
  await toolsToggle.focus();
  await page.keyboard.press("Space");
  await expect(toolsToggle).toHaveAttribute("aria-expanded", "false");
  await expect(tools).toBeHidden();
  await page.keyboard.press("Space");
  await expect(tools).toBeVisible();
  await expect(page.getByLabel("What changed")).toHaveValue("Kept while folded");
  await page.keyboard.press("Space");
  await expect(tools).toBeHidden();

  // The choice survives a reload.
  await page.reload();
  await expect(monaco).toBeVisible({ timeout: 60_000 });
  await expect(filesToggle).toHaveAttribute("aria-expanded", "false");
  await expect(toolsToggle).toHaveAttribute("aria-expanded", "false");
  await expect(files).toBeHidden();
  await filesToggle.click();
  await toolsToggle.click();
  await expect(files).toBeVisible();
  await expect(tools).toBeVisible();
  await expect.poll(width).toBeGreaterThanOrEqual(700);

  // 375 px: nothing scrolls sideways; the toggles, the name and the editor fit the width.
  await page.setViewportSize({ width: 375, height: 812 });
  await expectNoHorizontalScroll(page, "the code editor at 375 px");
  for (const control of [filesToggle, toolsToggle, name]) {
    const box = await control.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 375).toBe(true);
  }
  await expect.poll(width).toBeGreaterThanOrEqual(300);
  await expect.poll(width).toBeLessThanOrEqual(375);
  await saveScreenshot(page, "agent-code-panels-375");
  await page.setViewportSize({ width: 1280, height: 900 });
  await filesToggle.click();
  await toolsToggle.click();
  await expect.poll(width).toBeGreaterThan(900);
  await page.screenshot({ path: "artifacts/screenshots/agent-code-folded-1280.png" });
});

/** Scripts a page loaded: URL and gzipped (encoded) size. */
async function scripts(page: Page): Promise<Map<string, number>> {
  const entries = await page.evaluate(() =>
    (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
      .filter((entry) => entry.initiatorType === "script" || entry.name.endsWith(".js"))
      .map((entry) => [entry.name, entry.encodedBodySize] as const),
  );
  return new Map(entries);
}

const kb = (sizes: Iterable<number>) => Math.round(([...sizes].reduce((a, b) => a + b, 0) / 1024) * 10) / 10;

test("Monaco loads with the editor only: other routes do not fetch its JavaScript", async ({ browser }) => {
  const editorContext = await browser.newContext({ storageState: "artifacts/.auth/admin.json" });
  const editor = await editorContext.newPage();
  await editor.goto(`/w/${WS}/agents/${AGENT}/code`, { waitUntil: "networkidle" });
  await expect(editor.locator(".monaco-editor")).toBeVisible({ timeout: 60_000 });
  const editorScripts = await scripts(editor);
  await editorContext.close();

  const listContext = await browser.newContext({ storageState: "artifacts/.auth/admin.json" });
  const list = await listContext.newPage();
  await list.goto(`/w/${WS}/agents`, { waitUntil: "networkidle" });
  await expect(list.getByRole("button", { name: "New custom agent" })).toBeVisible();
  const listScripts = await scripts(list);
  await listContext.close();

  const editorOnly = [...editorScripts].filter(([url]) => !listScripts.has(url));
  console.log(
    `editor route JS ${kb(editorScripts.values())} KB gzipped in ${editorScripts.size} files, ` +
      `of which ${kb(editorOnly.map(([, size]) => size))} KB in ${editorOnly.length} files only it loads; ` +
      `agents list ${kb(listScripts.values())} KB in ${listScripts.size} files`,
  );
  // Monaco (hundreds of KB) is in scripts only the editor fetched, and the list stays in budget.
  expect(kb(editorOnly.map(([, size]) => size))).toBeGreaterThan(100);
  expect(kb(listScripts.values())).toBeLessThanOrEqual(250);
});
