/**
 * `filestore serve DIR`: a live web dashboard of the store.
 *
 * @module
 */
import { MIN_TOKEN_LENGTH, serveDashboard } from "../serve/server.ts";
import { CliError, type Command, duration, EXIT, openStore, parse, UsageError } from "./_common.ts";

/** The `serve` verb. */
export const serve: Command = {
  name: "serve",
  synopsis: "DIR",
  summary: "a live web dashboard of the store, on http://127.0.0.1:8025/",
  help: `Usage: filestore serve DIR [--port N] [--host ADDRESS] [--token T] [--allow-actions]

Serves a live dashboard of the store: items per area, arrivals and
completions per second over the last five minutes, the age of the oldest
item in new/ and cur/, stuck claims, and the newest items of failed/; with a
JSON API beside it for scripts, and Prometheus metrics. Runs until SIGINT
(Ctrl-C) or SIGTERM.

  GET /                         the page
  GET /api/stats                counts, sizes, ages, history (JSON)
  GET /api/items?area=AREA      the newest items of AREA (JSON), by name order;
      [&limit=N] [&before=NAME] N of them (default 100, at most 1000), older
                                than NAME (the "next" of the previous page)
  GET /metrics                  Prometheus text format (see filestore stats
                                --prometheus for the metric names)
  POST /api/actions/ACTION      retry, delete, recover, clean (--allow-actions)

With a token, every request but the page needs it, as 'Authorization: Bearer
T' (cookies are ignored). The printed link carries it after '#' (never sent
to a server, nor logged): the page keeps it in the tab's sessionStorage,
which other ports cannot read, and removes it from the address bar. A new tab
needs the link again. For Prometheus: 'authorization: {credentials: T}'.

Names are shown with control characters and bytes that are not UTF-8
escaped (caf\xe9, a\nb); items whose name is not valid UTF-8 get no Retry or
Delete button (the dashboard cannot address them: use a shell).

Options:
  --port N           the TCP port (default 8025; 0 picks a free one)
  --host ADDRESS     the address to bind (default 127.0.0.1); any address
                     that is not loopback needs a token
  --token T          the token (default: the FILESTORE_TOKEN environment
                     variable); at least ${MIN_TOKEN_LENGTH} characters
  --allow-actions    allow retrying and deleting items and running recover
                     and clean from the page (needs a token)
  --lease DURATION   a claim older than this is stuck, and recover takes it
                     back (default 5m)

Examples:
  filestore serve /var/spool/jobs
  FILESTORE_TOKEN=$(openssl rand -hex 16) filestore serve /var/spool/jobs --allow-actions`,
  async run(args, io) {
    const { values, positionals: [dir] } = parse(this, args, {
      port: { type: "string" },
      host: { type: "string" },
      token: { type: "string" },
      "allow-actions": { type: "boolean" },
      lease: { type: "string" },
    }, [1, 1]);
    const port = values.port === undefined ? 8025 : portNumber(values.port as string);
    const hostname = (values.host as string | undefined) ?? "127.0.0.1";
    const token = (values.token as string | undefined) ?? io.env.FILESTORE_TOKEN;
    const allowActions = values["allow-actions"] === true;
    const lease = values.lease === undefined ? undefined : duration("lease", values.lease as string);
    const store = await openStore(dir);
    const signal = io.stopSignal();
    let dashboard;
    try {
      dashboard = await serveDashboard(store, { port, hostname, token, allowActions, lease, signal });
    } catch (error) {
      // No token where one is needed, or a short one.
      if (error instanceof TypeError) throw new UsageError(`${error.message}; give --token T or set FILESTORE_TOKEN`);
      const code = (error as { code?: string }).code;
      if (code === "EADDRINUSE") {
        throw new CliError(`Cannot serve on ${hostname}:${port}: the port is taken; pick another with --port`);
      }
      if (code === "EADDRNOTAVAIL") {
        throw new CliError(`Cannot serve on '${hostname}': no such address on this machine`);
      }
      if (code === "EACCES") throw new CliError(`Cannot serve on port ${port}: permission denied; pick one above 1023`);
      throw error;
    }
    // In the fragment: browsers send it to no server, so it stays out of logs and other ports.
    const link = token ? `${dashboard.url}#token=${encodeURIComponent(token)}` : dashboard.url;
    io.stdout(`filestore: dashboard of ${store.path} on ${link}${allowActions ? " (actions allowed)" : ""}\n`);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await dashboard.close();
    return EXIT.OK;
  },
};

function portNumber(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new UsageError(`Invalid --port '${value}': expected a whole number from 0 to 65535`);
  }
  return Number(value);
}
