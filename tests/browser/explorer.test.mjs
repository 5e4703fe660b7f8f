// Browser test of the κ explorer page (`softiou explore`), in Debian's chromium, headless,
// driven by playwright-core (no browser download: executablePath /usr/bin/chromium).
//
// Usage: node tests/browser/explorer.test.mjs SOFTIOU_BINARY [SCREENSHOT.png]
//
// It writes the page with the binary, loads it from a file:// URL with every non-file
// request blocked (and counted: there must be none), moves the κ·s slider, the operator
// and the predicted box (sliders and a mouse drag on the canvas), reads the loss the page
// displays and compares it with `softiou eval --json` for the same boxes and κ, within
// the interpolation error the page documents (plus the display's rounding), checks the
// region warning against eval's, measures the time a slider move takes to redraw, and
// takes a screenshot that it checks is not blank. Exit status 0 on success, 1 on failure.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const bin = resolve(process.argv[2] ?? "target/debug/softiou");
const shotPath = process.argv[3];
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

const work = mkdtempSync(join(tmpdir(), "softiou-explorer-"));
execFileSync(bin, ["explore", "--out", work]);
const file = join(work, "explorer.html");
const size = statSync(file).size;
check(size < 5e6, `page size ${(size / 1e6).toFixed(2)} MB < 5 MB`);

const userDataDir = mkdtempSync(join(tmpdir(), "softiou-chromium-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
  viewport: { width: 1500, height: 960 },
});
let exitCode = 1;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  const external = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:")) return route.continue();
    external.push(url);
    return route.abort();
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => document.getElementById("loss").textContent.length > 0);

  const data = await page.evaluate(() => ({
    errs: window.D ? null : JSON.parse(document.getElementById("data").textContent).interpolation_error,
    offsets: JSON.parse(document.getElementById("data").textContent).offsets,
    scales: JSON.parse(document.getElementById("data").textContent).scales,
  }));
  const OPS = ["boltzmann", "logsumexp"];

  // Sets the κ·s slider (log10) and returns the redraw time: from the input event to the
  // next animation frame, i.e. including the canvas work the browser does before painting.
  const setKs = (log10ks) => page.evaluate(async (v) => {
    const el = document.getElementById("ks");
    const t0 = performance.now();
    el.value = String(v);
    el.dispatchEvent(new Event("input"));
    await new Promise((r) => requestAnimationFrame(() => r()));
    return { frame: performance.now() - t0, redraw: window.__lastRedrawMs };
  }, log10ks);
  const setIndex = (id, i) => page.evaluate(([id, i]) => {
    const el = document.getElementById(id);
    el.value = String(i);
    el.dispatchEvent(new Event("input"));
  }, [id, i]);
  const shown = () => page.evaluate(() => ({
    loss: document.getElementById("loss").textContent,
    kappa: Number(document.getElementById("kappa").dataset.value),
    ks: Number(document.getElementById("kappa-s").textContent),
    pred: JSON.parse(document.getElementById("pred").textContent),
    target: JSON.parse(document.getElementById("target").textContent),
    region: document.getElementById("region").textContent,
    warning: document.getElementById("warning").textContent,
  }));
  const evalCli = (s, op) => JSON.parse(execFileSync(bin, [
    "eval", `--pred=${s.pred.join(",")}`, `--target=${s.target.join(",")}`,
    `--kappa=${s.kappa}`, "--smoothing", op, "--json",
  ], { stdio: ["ignore", "pipe", "pipe"] }).toString()); // its region warning is checked via the JSON

  // 1. the loss shown against `softiou eval`, for several operators, κ·s and positions
  const cases = [
    { op: "logsumexp", lks: 0.5, dx: 0.25, dy: 0.25, sc: 1.0 },
    { op: "logsumexp", lks: 1.0, dx: -0.5, dy: 0.0, sc: 1.5 },   // a grid point: only rounding
    { op: "logsumexp", lks: 2.37, dx: 1.0, dy: 0.5, sc: 0.5 },
    { op: "boltzmann", lks: 1.37, dx: 0.5, dy: -0.25, sc: 1.5 },
    { op: "boltzmann", lks: 0.11, dx: 0.0, dy: 0.0, sc: 0.5 },
    { op: "hard", lks: 0.7, dx: 0.75, dy: 0.25, sc: 1.0 },
    { op: "logsumexp", lks: -0.45, dx: 0.25, dy: 0.0, sc: 1.0 },  // near the pole, still in [0, 1]
    { op: "logsumexp", lks: -0.6, dx: 0.0, dy: 0.0, sc: 1.0 },    // soft IoU above 1: warning
    { op: "logsumexp", lks: -1.5, dx: 0.0, dy: 0.0, sc: 1.0 },    // past the pole: warning
  ];
  const errs = data.errs;
  for (const c of cases) {
    await page.click(`#op-${c.op}`);
    await setIndex("dx", data.offsets.indexOf(c.dx));
    await setIndex("dy", data.offsets.indexOf(c.dy));
    await setIndex("scale", data.scales.indexOf(c.sc));
    await setKs(c.lks);
    const s = await shown();
    const e = evalCli(s, c.op);
    const label = `${c.op} κ·s=${s.ks} P=[${s.pred}]`;
    const cliRegion = e.warnings.length ? e.warnings[0] : "meaningful";
    check(s.region === cliRegion, `${label}: region ${s.region} = eval's ${cliRegion}`);
    check((s.warning !== "") === (cliRegion !== "meaningful"), `${label}: warning shown iff eval warns`);
    if (cliRegion !== "meaningful") continue; // no interpolation bound is promised there
    const oi = OPS.indexOf(c.op);
    // documented bound: the measured interpolation error (κ·s ≥ 1 or overall), plus
    // 5e-7 for the 6 decimals displayed; hard is looked up, not interpolated
    const bound = (oi < 0 ? 0 : (s.ks >= 1 ? errs[oi].loss_above_1 : errs[oi].loss)) + 5e-7;
    const diff = Math.abs(Number(s.loss) - e.loss);
    check(diff <= bound, `${label}: shown loss ${s.loss} vs eval ${e.loss}: |diff| ${diff.toExponential(2)} <= ${bound.toExponential(2)}`);
  }

  // 2. dragging the predicted box on the canvas moves it along the offset grid
  await page.click("#op-logsumexp");
  await setKs(1.0);
  const before = await shown();
  const box = await page.locator("#boxes").boundingBox();
  const toPx = (x) => (x + 20) / 50 * 520; // the page's world window is [-20, 30]
  const cx = box.x + toPx((before.pred[0] + before.pred[2]) / 2);
  const cy = box.y + toPx((before.pred[1] + before.pred[3]) / 2);
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  const perS = 520 / 50 * 10; // pixels per s (= 10 coordinate units)
  await page.mouse.move(cx + perS, cy + perS / 2, { steps: 8 }); // +1 s in x, +0.5 s in y
  await page.mouse.up();
  const after = await shown();
  check(Math.abs(after.pred[0] - before.pred[0] - 10) < 1e-9 && Math.abs(after.pred[1] - before.pred[1] - 5) < 1e-9,
    `drag moved P from [${before.pred}] to [${after.pred}] (+10, +5)`);
  const e2 = evalCli(after, "logsumexp");
  check(Math.abs(Number(after.loss) - e2.loss) <= errs[1].loss_above_1 + 5e-7,
    `after the drag the loss ${after.loss} matches eval ${e2.loss}`);

  // 3. redraw time of a slider move, over 60 positions across the whole range
  const times = [];
  for (let i = 0; i < 60; i++) times.push(await setKs(-2 + 6 * i / 59));
  const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const redraw = times.map((t) => t.redraw), frame = times.map((t) => t.frame);
  console.log(`redraw (JS, lookup + both canvases): median ${med(redraw).toFixed(2)} ms, max ${Math.max(...redraw).toFixed(2)} ms`);
  console.log(`slider input to next frame: median ${med(frame).toFixed(2)} ms, max ${Math.max(...frame).toFixed(2)} ms`);
  check(med(redraw) < 50, "median redraw under 50 ms (interactive)");

  // 4. a screenshot that is not blank: its pixels, decoded by the browser itself
  await setKs(0.6);
  await page.click("#op-logsumexp");
  await setIndex("dx", data.offsets.indexOf(0.25));
  await setIndex("dy", data.offsets.indexOf(0.25));
  await setIndex("scale", data.scales.indexOf(1.0));
  const png = await page.screenshot({ fullPage: true });
  if (shotPath) writeFileSync(shotPath, png);
  const stats = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = "data:image/png;base64," + b64;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width; c.height = img.height;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    let nonWhite = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i] < 245 || px[i + 1] < 245 || px[i + 2] < 245) nonWhite++;
      if (i % 64 === 0) colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
    }
    return { w: c.width, h: c.height, nonWhite: nonWhite / (px.length / 4), colours: colours.size };
  }, png.toString("base64"));
  check(stats.nonWhite > 0.03 && stats.colours > 50,
    `screenshot ${stats.w}x${stats.h} not blank: ${(100 * stats.nonWhite).toFixed(1)}% non-white, ${stats.colours} colours`);

  check(external.length === 0, `no network requests (${external.length}: ${external.slice(0, 3).join(" ")})`);
  check(errors.length === 0, `no JavaScript errors (${errors.join("; ")})`);
  exitCode = failures.length === 0 ? 0 : 1;
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}
console.log(exitCode === 0 ? "browser test passed" : `browser test FAILED: ${failures.length} check(s)`);
process.exit(exitCode);
