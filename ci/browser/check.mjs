// The browser check: opens sqs-sim's HTML pages in headless Chromium
// through the DevTools protocol (puppeteer-core drives the Debian package's
// /usr/bin/chromium; it downloads no browser) and checks what a reader does.
//
//   node check.mjs --out DIR [--lesson LESSON.html]… [--page report.html]…
//
// Lesson pages: the counter reads "Frame 1 of N"; next/previous buttons and
// the arrow keys move it and change the drawn frame; play advances frames and
// pause stops them; with JavaScript off every frame is shown. Every page: no
// console error or uncaught exception, no request leaves file:// (no external
// URL), and screenshots in DIR. Exits 1 with the list of failures.

import puppeteer from "puppeteer-core";
import { mkdtemp, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve, basename, dirname } from "node:path";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const VIEWPORT = { width: 1280, height: 900 };

function parseArgs(argv) {
  const a = { out: "target/browser-check", lessons: [], pages: [] };
  for (let i = 0; i < argv.length; i++) {
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
      return argv[++i];
    };
    if (argv[i] === "--out") a.out = next();
    else if (argv[i] === "--lesson") a.lessons.push(next());
    else if (argv[i] === "--page") a.pages.push(next());
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (a.lessons.length + a.pages.length === 0) throw new Error("nothing to check: give --lesson or --page");
  return a;
}

const failures = [];
function check(ok, what) {
  if (ok) console.log(`  ok   ${what}`);
  else {
    console.log(`  FAIL ${what}`);
    failures.push(what);
  }
}

/** A new tab that records console errors, exceptions and non-local requests. */
async function openPage(browser, file, { javascript = true } = {}) {
  const page = await browser.newPage();
  await page.setViewport(VIEWPORT);
  await page.setJavaScriptEnabled(javascript);
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warn") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`exception: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
  page.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith("file:") && !u.startsWith("data:") && !u.startsWith("about:")) {
      problems.push(`external request: ${u}`);
    }
  });
  await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: "load" });
  return { page, problems };
}

const counter = (page) => page.$eval("#counter", (e) => e.textContent.trim());
/** The drawn frame: its id and its picture's markup. */
const current = (page) =>
  page.evaluate(() => {
    const shown = [...document.querySelectorAll(".frame")].filter((f) => f.offsetHeight > 0);
    return { ids: shown.map((f) => f.id), svg: shown.length ? shown[0].querySelector("svg").outerHTML : "" };
  });

async function checkLesson(browser, file, out) {
  const name = basename(file, ".html");
  console.log(`lesson page ${file}`);
  const { page, problems } = await openPage(browser, file);
  const total = await page.$$eval(".frame", (f) => f.length);
  check(total >= 3, `${name}: at least 3 frames (found ${total})`);
  check((await counter(page)) === `Frame 1 of ${total}`, `${name}: counter reads "Frame 1 of ${total}"`);
  const first = await current(page);
  check(first.ids.length === 1 && first.ids[0] === "frame-1", `${name}: only frame 1 is shown (${first.ids})`);
  check(await page.$eval("#prev", (b) => b.disabled), `${name}: previous is disabled on frame 1`);
  await page.screenshot({ path: join(out, `${name}-frame-1.png`) });

  await page.click("#next");
  const second = await current(page);
  check((await counter(page)) === `Frame 2 of ${total}`, `${name}: next → "Frame 2 of ${total}"`);
  check(second.ids[0] === "frame-2" && second.svg !== first.svg, `${name}: next draws another frame`);
  await page.screenshot({ path: join(out, `${name}-frame-2.png`) });
  await page.click("#prev");
  check((await counter(page)) === `Frame 1 of ${total}`, `${name}: previous → "Frame 1 of ${total}"`);
  check((await current(page)).svg === first.svg, `${name}: previous draws frame 1 again`);

  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  check((await counter(page)) === `Frame 3 of ${total}`, `${name}: → → gives "Frame 3 of ${total}"`);
  await page.keyboard.press("ArrowLeft");
  check((await counter(page)) === `Frame 2 of ${total}`, `${name}: ← gives "Frame 2 of ${total}"`);
  check((await current(page)).svg === second.svg, `${name}: ← draws frame 2`);

  // Play advances on its own; pause stops it.
  await page.click("#play");
  const played = await page
    .waitForFunction(() => document.querySelector("#counter").textContent.startsWith("Frame 3 "), { timeout: 8000 })
    .then(() => true, () => false);
  check(played, `${name}: play advances to frame 3 by itself`);
  check((await page.$eval("#play", (b) => b.getAttribute("aria-pressed"))) === "true", `${name}: play shows as pressed`);
  await page.click("#play");
  const paused = await counter(page);
  await new Promise((r) => setTimeout(r, 3000));
  check((await counter(page)) === paused, `${name}: pause stops at "${paused}"`);

  await page.keyboard.press("End");
  check((await counter(page)) === `Frame ${total} of ${total}`, `${name}: End shows the last frame`);
  check(await page.$eval("#next", (b) => b.disabled), `${name}: next is disabled on the last frame`);
  await page.screenshot({ path: join(out, `${name}-last.png`) });
  // The first false empty, if any: the picture the README shows.
  const bad = await page.$$eval(".frame", (fs) => fs.findIndex((f) => f.querySelector(".verdict.bad")));
  if (bad >= 0) {
    await page.keyboard.press("Home");
    for (let k = 0; k < bad; k++) await page.keyboard.press("ArrowRight");
    check((await counter(page)) === `Frame ${bad + 1} of ${total}`, `${name}: arrows reach the first false empty`);
    await page.screenshot({ path: join(out, `${name}-false-empty.png`) });
  }
  check(problems.length === 0, `${name}: no console errors or external requests ${problems.join("; ")}`);
  await page.close();

  // Without JavaScript: every frame is on the page, one after another.
  const nojs = await openPage(browser, file, { javascript: false });
  const controlsHidden = await nojs.page.$eval("#controls", (n) => n.hidden);
  check(controlsHidden, `${name} without JavaScript: the buttons stay hidden`);
  await nojs.page.screenshot({ path: join(out, `${name}-no-javascript.png`) });
  const height = await nojs.page.evaluate(() => document.documentElement.scrollHeight);
  check(height > total * 250, `${name} without JavaScript: all ${total} frames laid out (${height} px tall)`);
  check(nojs.problems.length === 0, `${name} without JavaScript: no errors ${nojs.problems.join("; ")}`);
  await nojs.page.close();
}

/** A report.html: it renders, every chart is drawn at a size, nothing needs
 * JavaScript or the network. Screenshots: the top of the page (what the
 * README shows) and the whole page. */
async function checkPage(browser, file, out) {
  const name = basename(resolve(file, ".."));
  console.log(`page ${file}`);
  for (const javascript of [true, false]) {
    const how = javascript ? "" : " without JavaScript";
    const { page, problems } = await openPage(browser, file, { javascript });
    const title = await page.title();
    check(title.length > 0, `${name}${how}: has a title ("${title}")`);
    const charts = await page.$$eval("figure svg", (ss) =>
      ss.map((s) => {
        const r = s.getBoundingClientRect();
        return { w: r.width, h: r.height, id: s.closest("figure").id };
      }),
    );
    check(charts.length >= 5, `${name}${how}: ${charts.length} charts inline`);
    const flat = charts.filter((c) => !(c.w > 100 && c.h > 100));
    check(flat.length === 0, `${name}${how}: every chart drawn at a size ${JSON.stringify(flat)}`);
    const rows = await page.$$eval("table.summary tbody tr", (r) => r.length);
    check(rows > 0, `${name}${how}: the summary table has ${rows} row(s)`);
    const conclusions = await page.$$eval("ul.conclusions li", (l) => l.length);
    check(conclusions > 0, `${name}${how}: ${conclusions} conclusion(s) in words`);
    // A sweep with an SLO (its folder keeps slo.toml) names its answer on the page.
    if (existsSync(join(dirname(file), "slo.toml"))) {
      const answer = await page.$$eval("section#advice p.answer", (ps) =>
        ps.map((p) => ({ text: p.textContent.trim(), h: p.getBoundingClientRect().height })),
      );
      check(
        answer.length === 1 && answer[0].text.length > 0 && answer[0].h > 0,
        `${name}${how}: the SLO answer is shown (${answer.map((a) => a.text).join("")})`,
      );
    }
    if (javascript) {
      await page.screenshot({ path: join(out, `${name}-report.png`) });
      await page.screenshot({ path: join(out, `${name}-report-full.png`), fullPage: true });
    } else {
      await page.screenshot({ path: join(out, `${name}-report-no-javascript.png`) });
    }
    check(problems.length === 0, `${name}${how}: no console errors or external requests ${problems.join("; ")}`);
    await page.close();
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  await mkdir(args.out, { recursive: true });
  const profile = await mkdtemp(join(tmpdir(), "sqs-sim-chromium-"));
  const started = Date.now();
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
    ],
  });
  try {
    console.log(`browser: ${await browser.version()}`);
    for (const f of args.lessons) await checkLesson(browser, f, args.out);
    for (const f of args.pages) await checkPage(browser, f, args.out);
  } finally {
    await browser.close();
    await rm(profile, { recursive: true, force: true });
  }
  console.log(`browser check: ${failures.length ? "FAILED" : "passed"} in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${args.out}`);
  if (failures.length) {
    for (const f of failures) console.log(`  - ${f}`);
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(`browser check: ${e.stack || e}`);
  process.exit(1);
});
