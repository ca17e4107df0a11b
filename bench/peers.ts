/**
 * filestore against its peers (issue 7): the same workload, 1 KiB items,
 * full cycle in one process (all puts, then all claims/reads/deletes), with
 * the put and drain phases also reported alone. filestore on Deno, Bun and
 * Node; the C floor; Python's dirq (QueueSimple); Python's mailbox.Maildir
 * with and without its fsync; the npm package file-queue. Then several
 * producer/consumer process pairs at once. Interleaved rounds, fresh
 * directories, medians.
 *
 * Usage: deno run -A bench/peers.ts [--items N] [--rounds N]   (or bench/run.ts for everything)
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import process from "node:process";
import { findTools, type Result, type Runtime, Scratch, startWaiting, workerCommand } from "./_common.ts";
import { cell, commonFlags, type Config, interleave, type PartOptions, rate, ratio, table } from "./cycle.ts";
import { barChart } from "./_svg.ts";
import { ratioTarget, targetLines } from "./_targets.ts";

const RUNTIME_NAMES: Record<Runtime, string> = { deno: "Deno", bun: "Bun", node: "Node" };

/** What the peers part found: its Markdown, its chart, and the medians the README quotes. */
export interface PeersReport {
  markdown: string;
  svg: string;
  /** Full-cycle items/s by program label. */
  full: Map<string, number>;
}

interface Program {
  label: string;
  fsync: boolean;
  argv: (dir: string) => string[];
}

function programs(options: PartOptions): Program[] {
  const { tools, items } = options;
  const n = String(items);
  const list: Program[] = [];
  for (const sync of [false, true]) {
    const s = sync ? "1" : "0";
    if (tools.floor) {
      list.push({ label: `C floor`, fsync: sync, argv: (dir) => [tools.floor!, "cycle", dir, "1024", n, s] });
    }
    for (const runtime of tools.runtimes) {
      list.push({
        label: `filestore, ${RUNTIME_NAMES[runtime]} *Sync`,
        fsync: sync,
        argv: (dir) => workerCommand(runtime, ["cycle", dir, "1024", n, s, "sync"]),
      });
    }
    if (tools.python) {
      list.push({
        label: "mailbox.Maildir (Python)",
        fsync: sync,
        argv: (dir) => [tools.python!, `${tools.benchDir}/peers/maildir_worker.py`, dir, "1024", n, s],
      });
    }
  }
  if (tools.dirqPython) {
    list.push({
      label: "dirq QueueSimple (Python)",
      fsync: false,
      argv: (dir) => [tools.dirqPython!, `${tools.benchDir}/peers/dirq_worker.py`, dir, "1024", n],
    });
  }
  if (tools.fileQueue) {
    list.push({
      label: "file-queue (npm)",
      fsync: false,
      argv: (dir) => [tools.node, tools.fileQueue!, dir, "1024", n],
    });
  }
  return list;
}

const key = (p: { label: string; fsync: boolean }) => `${p.label}${p.fsync ? ", fsync" : ""}`;

/** The single-process comparison, as a table and a chart. */
export async function peers(options: PartOptions): Promise<PeersReport> {
  const list = programs(options);
  const configs: Config[] = list.map((p) => ({ row: key(p), column: "run", argv: p.argv }));
  // Each program runs right after the C floor with the same fsync setting (A B A B).
  for (const config of configs) {
    const fsync = config.row.endsWith(", fsync");
    const floor = configs.find((c) => c.row === key({ label: "C floor", fsync }));
    if (floor && floor !== config) config.baseline = floor;
  }
  const medians = await interleave(configs, options, "peers");
  const get = (label: string) => medians.get(label)?.get("run");
  const full = new Map(list.map((p) => [key(p), get(key(p))?.full ?? NaN]));
  const peerColumns = [
    "dirq QueueSimple (Python)",
    "mailbox.Maildir (Python)",
    "mailbox.Maildir (Python), fsync",
    "file-queue (npm)",
  ].filter((label) => full.has(label));
  const head = [
    "program",
    "fsync",
    "full cycle/s",
    "put/s",
    "drain/s",
    "vs C floor",
    ...peerColumns.map((label) => `vs ${label.replace(" (Python)", "").replace(" (npm)", "")}`),
  ];
  const rows = list.map((p) => {
    const m = get(key(p));
    return [
      p.label,
      p.fsync ? "yes" : "no",
      rate(m?.full),
      rate(m?.put),
      rate(m?.drain),
      m ? `${m.ratio.toFixed(m.ratio >= 10 ? 0 : 2)}x` : "–",
      ...peerColumns.map((label) => ratio(m?.full, full.get(label))),
    ];
  });
  const markdown =
    `### ${options.items.toLocaleString("en-US")} items of 1 KiB in one process, items/s (medians) and ratios\n\n` +
    table(head, rows) +
    "\n\nFull cycle: all puts, then all claims, reads and deletes; put/s and drain/s are those two phases alone. " +
    "filestore claims by rename into cur/ under a name unique to the claim; dirq locks by link(); mailbox.Maildir " +
    "reads and removes by key (no claim); file-queue re-reads new/ on every pop. With fsync: filestore and the C " +
    "floor fsync the file and new/, mailbox.Maildir the file only.";
  const svg = barChart(
    `${options.items.toLocaleString("en-US")} items of 1 KiB, one process (items/s, log scale)`,
    ["full cycle", "put only", "drain only"],
    list.map((p) => {
      const m = get(key(p));
      return { label: key(p), values: [m?.full, m?.put, m?.drain] };
    }),
  );
  return { markdown, svg, full };
}

// One multi-process run: P producers and P consumers start together; the
// consumers stop when the producers are done and new/ is empty.
export async function pairsRun(
  pairs: number,
  total: number,
  command: (role: string, count: number) => string[],
  dir: string,
): Promise<Result> {
  mkdirSync(dir, { recursive: true });
  const share = Math.ceil(total / pairs);
  const producers = Array.from({ length: pairs }, () => startWaiting(command("produce", share)));
  const consumers = Array.from({ length: pairs }, () => startWaiting(command("consume", 0)));
  const all = [...producers, ...consumers];
  await Promise.all(all.map((w) => w.ready));
  writeFileSync(`${dir}/.go`, "");
  const produced = await Promise.all(producers.map((w) => w.result));
  writeFileSync(`${dir}/.done`, "");
  const consumed = await Promise.all(consumers.map((w) => w.result));
  const results: Result[] = [...produced, ...consumed];
  const start = Math.min(...results.map((r) => Number(r.start)));
  const end = Math.max(...results.map((r) => Number(r.end)));
  const taken = consumed.reduce((sum, r) => sum + Number(r.items), 0);
  const put = produced.reduce((sum, r) => sum + Number(r.items), 0);
  if (taken !== put) throw new Error(`${pairs} pairs: ${put} items put, ${taken} taken`);
  return { items: taken, put: (end - start) / 1000, drain: 0 };
}

/** 1, 2 and 4 producer/consumer process pairs, the C floor and filestore (*Sync, no fsync). */
export async function scaling(options: PartOptions): Promise<string> {
  const { tools, items } = options;
  const configs: Config[] = [];
  const columns: string[] = [];
  for (const pairs of [1, 2, 4]) {
    const row = String(pairs);
    const baseline: Config | undefined = tools.floor
      ? {
        row,
        column: "C floor",
        run: (dir) => pairsRun(pairs, items, (role, n) => [tools.floor!, role, dir, "1024", String(n), "0"], dir),
      }
      : undefined;
    if (baseline) configs.push(baseline);
    for (const runtime of tools.runtimes) {
      configs.push({
        row,
        column: `filestore, ${RUNTIME_NAMES[runtime]} *Sync`,
        run: (dir) =>
          pairsRun(pairs, items, (role, n) => workerCommand(runtime, [role, dir, "1024", String(n), "0", "sync"]), dir),
        baseline,
      });
    }
  }
  for (const c of configs) if (!columns.includes(c.column)) columns.push(c.column);
  const medians = await interleave(configs, options, "scaling");
  const rows = [...medians].map(([pairs, cells]) => {
    return [pairs, ...columns.map((c) => c === "C floor" ? rate(cells.get(c)?.full) : cell(cells.get(c)))];
  });
  return `### Producer/consumer process pairs, ${items.toLocaleString("en-US")} items of 1 KiB in all, items/s\n\n` +
    table(["pairs", ...columns], rows) +
    "\n\nProducers and consumers run at the same time, each its own process; the rate is items over the time from " +
    "the first start to the last finish. Every item was taken exactly once (checked by count).";
}

/**
 * 2 and 4 pairs as users run them (async put(), consume()) against the C floor
 * with the same layout, and the same layout in plain node:fs calls on each
 * runtime: how near the C floor the runtime itself gets.
 */
export async function pairs(options: PartOptions): Promise<string> {
  const { tools, items } = options;
  const configs: Config[] = [];
  const plainColumn = (name: string) => `plain node:fs, ${name}`;
  const mixedColumn = (name: string, side: "put" | "consume") => `${name}, only ${side}() filestore's`;
  for (const count of [2, 4]) {
    const row = String(count);
    const baseline: Config | undefined = tools.floor
      ? {
        row,
        column: "C floor",
        run: (dir) => pairsRun(count, items, (role, n) => [tools.floor!, role, dir, "1024", String(n), "0"], dir),
      }
      : undefined;
    if (baseline) configs.push(baseline);
    for (const runtime of tools.runtimes) {
      const name = RUNTIME_NAMES[runtime];
      // [column, producers' api, consumers' api]: the mixed ones show which side the gap is on.
      for (
        const [column, producers, consumers] of [
          [`filestore, ${name}`, "consume", "consume"],
          [plainColumn(name), "raw", "raw"],
          [mixedColumn(name, "put"), "consume", "raw"],
          [mixedColumn(name, "consume"), "raw", "consume"],
        ]
      ) {
        const api = (role: string) => role === "produce" ? producers : consumers;
        configs.push({
          row,
          column,
          run: (dir) =>
            pairsRun(
              count,
              items,
              (role, n) => workerCommand(runtime, [role, dir, "1024", String(n), "0", api(role)]),
              dir,
            ),
          baseline,
        });
      }
    }
  }
  const medians = await interleave(configs, options, "pairs");
  const mixed = new Set(
    tools.runtimes.flatMap((r) => [mixedColumn(RUNTIME_NAMES[r], "put"), mixedColumn(RUNTIME_NAMES[r], "consume")]),
  );
  const columns = [...new Set(configs.map((c) => c.column))].filter((c) => !mixed.has(c));
  // Per runtime: both sides filestore, each side alone, neither (ratios to the C floor of the same rounds).
  const splitRows: string[][] = [];
  for (const [count, cells] of medians) {
    for (const runtime of tools.runtimes) {
      const name = RUNTIME_NAMES[runtime];
      const both = cells.get(`filestore, ${name}`);
      const plain = cells.get(plainColumn(name));
      const onlyPut = cells.get(mixedColumn(name, "put"));
      const onlyConsume = cells.get(mixedColumn(name, "consume"));
      splitRows.push([count, name, cell(plain), cell(onlyPut), cell(onlyConsume), cell(both)]);
    }
  }
  const lines: string[] = [];
  const rows = [...medians].map(([count, cells]) => {
    for (const runtime of tools.runtimes) {
      const name = RUNTIME_NAMES[runtime];
      const filestore = cells.get(`filestore, ${name}`);
      const plain = cells.get(plainColumn(name));
      lines.push(targetLines([
        ratioTarget(
          "pairs",
          `${count} pairs, ${name}: async put() + consume() / C floor`,
          filestore?.ratio ?? NaN,
          0.6,
        ),
      ]));
      if (filestore && plain) {
        lines.push(
          `  - the same layout in plain node:fs calls on ${name}: ${plain.ratio.toFixed(2)}x of the C floor; ` +
            `filestore at ${(filestore.full / plain.full).toFixed(2)}x of it`,
        );
      }
    }
    return [count, ...columns.map((c) => c === "C floor" ? rate(cells.get(c)?.full) : cell(cells.get(c)))];
  });
  return `### Producer/consumer pairs as users run them (async put(), consume()), ${items.toLocaleString("en-US")} ` +
    "items of 1 KiB in all, items/s and ratio to the C floor\n\n" +
    table(["pairs", ...columns], rows) +
    "\n\nEach process first warms up on a store of its own (2,000 items through the same calls). " +
    "Each producer puts its share with awaited put() (sync: false); each consumer runs consume() (concurrency 1) " +
    "until the producers are done and new/ is empty. The C floor runs the same layout (one readdir per pass, " +
    'rename into cur/); so does "plain node:fs", with the C floor\'s calls made through node:fs *Sync calls ' +
    "on that runtime, which shows how much of the gap is the runtime's own. Each run follows a C floor run. " +
    "Every item was taken exactly once (checked by count). Target: >= 0.6x the C floor.\n\n" + lines.join("\n") +
    "\n\n#### Which side the gap is on: filestore on one side, plain node:fs calls on the other\n\n" +
    table(
      [
        "pairs",
        "runtime",
        "plain on both sides",
        "async put() producers, plain consumers",
        "plain producers, consume() consumers",
        "filestore on both sides",
      ],
      splitRows,
    ) +
    "\n\nThe same runs as above (items/s and ratio to the C floor run before each). A side whose filestore " +
    "column falls well below the plain one is where the pairs lose their time.";
}

if ((process.argv[1] ?? "").match(/bench\/peers\.(ts|js)$/)) {
  const { items, rounds } = commonFlags(process.argv.slice(2));
  const tools = findTools();
  for (const line of tools.missing) console.log(`missing: ${line}`);
  const scratch = new Scratch();
  scratch.probe = tools.floor;
  try {
    const options = { items, rounds, scratch, tools, log: (line: string) => console.error(line) };
    const report = await peers(options);
    console.log(report.markdown);
    mkdirSync(`${tools.benchDir}/out`, { recursive: true });
    writeFileSync(`${tools.benchDir}/out/peers.svg`, report.svg);
    console.log(await scaling(options));
  } finally {
    scratch.dispose();
  }
}
