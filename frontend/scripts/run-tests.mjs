#!/usr/bin/env node
/**
 * Runs the dashboard's JavaScript tests and prints one plain `N passed, N failed` line for them:
 * vitest for lib/, then Playwright in Chromium against `next start` (the production build, which
 * must exist: `npm run build`) and the real API, which tests/dashboard/serve_api.py serves on the
 * test substrate (PostgreSQL, the emulated Kubernetes API, the provider double). Runs that include
 * a spec placing browser calls (all specs, or named ones matching CALL_SPECS) also get the real
 * livekit-server, the model double and the standard worker (`serve_api.py --livekit`): they cost
 * the worker's start-up, so a run of other specs goes without; E2E_LIVEKIT=0 turns them off.
 * Exits non-zero when a test failed or a server did not start.
 */

import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const frontend = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repo = path.resolve(frontend, "..");
const artifacts = path.join(frontend, "artifacts");
const bin = (name) => path.join(frontend, "node_modules", ".bin", name);
const children = [];

/** Specs that place calls (talk.spec) or assert what a configured LiveKit answers (phone-numbers). */
const CALL_SPECS = /talk|phone-numbers/;

function wantsLiveKit(playwrightArgs) {
  if (process.env.E2E_LIVEKIT === "0") return false;
  const filters = playwrightArgs.filter((arg) => !arg.startsWith("-"));
  return filters.length === 0 || filters.some((filter) => CALL_SPECS.test(filter));
}

function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", cwd: frontend, ...options });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts the API launcher and resolves with the JSON line it prints once everything is up. */
function startApi(publicUrl, livekit) {
  const uv = process.env.UV ?? "uv";
  const args = ["run", "--frozen", "python", "-m", "tests.dashboard.serve_api", "--public-url", publicUrl, ...(livekit ? ["--livekit", "--log-dir", path.join(artifacts, "servers")] : [])];
  const child = spawn(uv, args, {
    cwd: repo,
    stdio: ["pipe", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the API launcher did not come up within 240 s")), 240_000);
    child.on("exit", (code) => reject(new Error(`the API launcher exited (${code}) before it was ready`)));
    readline.createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
  });
}

async function waitForHttp(url, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { redirect: "manual" });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer within ${seconds} s`);
}

function vitestCounts(file) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  return { passed: report.numPassedTests, failed: report.numFailedTests + (report.success ? 0 : report.numFailedTestSuites ?? 0), skipped: report.numPendingTests + report.numTodoTests };
}

function playwrightCounts(file) {
  const { stats } = JSON.parse(readFileSync(file, "utf8"));
  return { passed: stats.expected + stats.flaky, failed: stats.unexpected, skipped: stats.skipped };
}

async function stopChildren() {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          // The API launcher stops the worker, livekit-server and PostgreSQL in turn.
          const killer = setTimeout(() => child.kill("SIGKILL"), 45_000);
          child.on("exit", () => {
            clearTimeout(killer);
            resolve();
          });
          child.kill("SIGTERM");
        }),
    ),
  );
}

async function main() {
  mkdirSync(artifacts, { recursive: true });
  const totals = { passed: 0, failed: 0, skipped: 0 };
  const add = (counts) => Object.keys(totals).forEach((k) => (totals[k] += counts[k]));
  let problem = null;

  const vitestReport = path.join(artifacts, "vitest.json");
  await run(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestReport}`]);
  try {
    add(vitestCounts(vitestReport));
  } catch (error) {
    problem = `vitest wrote no report: ${error.message}`;
  }

  try {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const playwrightArgs = process.argv.slice(2);
    const api = await startApi(baseUrl, wantsLiveKit(playwrightArgs));
    const calls = api.calls ?? null;
    const next = spawn(bin("next"), ["start", "-H", "127.0.0.1", "-p", String(port)], {
      cwd: frontend,
      stdio: ["ignore", "inherit", "inherit"],
      // ARKENOS_LIVEKIT_PUBLIC_URL: the Content-Security-Policy lets pages reach LiveKit for calls.
      env: { ...process.env, ARKENOS_API_URL: api.api, NODE_ENV: "production", ...(calls ? { ARKENOS_LIVEKIT_PUBLIC_URL: calls.url } : {}) },
    });
    children.push(next);
    await waitForHttp(`${baseUrl}/login`, 120);
    const playwrightReport = path.join(artifacts, "playwright.json");
    await run(bin("playwright"), ["test", ...playwrightArgs], {
      env: {
        ...process.env,
        E2E_BASE_URL: baseUrl,
        E2E_KUBERNETES_URL: api.kubernetes,
        E2E_VALID_KEYS: JSON.stringify(api.validKeys),
        // The workers' internal endpoints (not proxied by the dashboard) and the pool's token,
        // so a test can report a call as a worker does (tests/e2e/support/calls.ts).
        E2E_API_URL: api.api,
        E2E_WORKLOAD_TOKEN: api.workloadToken,
        // Browser calls (tests/e2e/support/calls-live.ts): absent when LiveKit was not started.
        ...(calls ? { E2E_CALLS: JSON.stringify(calls) } : {}),
      },
    });
    add(playwrightCounts(playwrightReport));
  } catch (error) {
    problem = error.message;
  } finally {
    await stopChildren();
  }

  if (problem) {
    console.error(`dashboard tests: ${problem}`);
    totals.failed += 1;
  }
  // Exactly `N passed, N failed` on a line of its own, for CI to count; skips on the next.
  console.log(`${totals.passed} passed, ${totals.failed} failed`);
  console.log(`${totals.skipped} skipped`);
  process.exitCode = totals.failed > 0 ? 1 : 0;
}

process.on("SIGINT", () => stopChildren().then(() => process.exit(130)));
await main();
