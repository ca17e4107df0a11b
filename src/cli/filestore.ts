#!/usr/bin/env node
/**
 * The `filestore` command line: `filestore init DIR`, `put`, `ls`, `mv`,
 * `claim`, `watch`, `clean`, `recover`, `stats`. Run `filestore --help`.
 *
 * Runs on Deno (`deno run -A jsr:@filestore/filestore/cli`), Bun and Node
 * (`npx @filestore/filestore`).
 *
 * @module
 */
import process from "node:process";
import { main } from "./main.ts";

// `filestore ls DIR | head` closes the pipe early: that is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

let stop: AbortController | undefined;
process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: () => process.stdin,
  isTTY: process.stdout.isTTY === true,
  env: process.env,
  stopSignal() {
    if (!stop) {
      const controller = stop = new AbortController();
      const onSignal = () => controller.abort();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
    }
    return stop.signal;
  },
});
