/**
 * `serveDashboard()`: a live web dashboard of a store, served with
 * `node:http` (which Node, Deno and Bun all provide), with a JSON API beside
 * the page and, when allowed, actions on failed items.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FileStoreError, type FileStoreErrorCode } from "../errors.ts";
import { type FileStore, STANDARD_AREAS } from "../file_store.ts";
import { type AreaEntry, isLossy } from "../cli/_entries.ts";
import { escapeName } from "../cli/_quote.ts";
import { printable } from "../names.ts";
import { PAGE_CSS, PAGE_HTML, PAGE_JS } from "./page.ts";
import { formatPrometheus, PROMETHEUS_CONTENT_TYPE } from "./prometheus.ts";
import { listEntries, newestItems, Sampler } from "./sampler.ts";

/** Options of {@linkcode serveDashboard}. */
export interface ServeOptions {
  /**
   * The TCP port; 0 picks a free one (see `url`).
   * @default {8025}
   */
  port?: number;
  /**
   * The address to bind. Anything but a loopback address needs a `token`.
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * When set, every API request (and `/metrics`) must carry it as
   * `Authorization: Bearer <token>`; cookies are ignored. The page gets it
   * from the link's fragment, `/#token=<token>`, which browsers never send
   * to a server, keeps it in `sessionStorage` (which only this origin,
   * scheme, host and port, can read) and sends the header itself. Needed for
   * a non-loopback `hostname` and for `allowActions`. At least 12 characters.
   * @default {undefined}
   */
  token?: string;
  /**
   * Allow the POST actions: retry or delete an item, recover, clean.
   * @default {false}
   */
  allowActions?: boolean;
  /** Closes the dashboard when aborted. */
  signal?: AbortSignal;
  /**
   * Milliseconds between samples of the store.
   * @default {1000}
   */
  interval?: number;
  /**
   * Milliseconds of history the chart shows.
   * @default {300000}
   */
  history?: number;
  /**
   * A claim older than this many milliseconds counts as stuck, and the recover action takes back claims older than it.
   * @default {300000}
   */
  lease?: number;
  /**
   * The area of failed items the page lists.
   * @default {"failed"}
   */
  failedArea?: string;
}

/** A running dashboard. */
export interface Dashboard {
  /** The address of the page, e.g. `http://127.0.0.1:8025/` (without the token: add `#token=<token>`). */
  url: string;
  /** Stops sampling and closes the server. */
  close(): Promise<void>;
}

/** The smallest token the dashboard accepts. */
export const MIN_TOKEN_LENGTH = 12;

// Every response: no caching, no framing, no sniffing, no referrer (the page URL may carry a token).
const HEADERS: Record<string, string> = {
  "Cache-Control": "no-store",
  "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Resource-Policy": "same-origin",
};

const ASSETS: Record<string, { type: string; body: string }> = {
  "/app.js": { type: "text/javascript; charset=utf-8", body: PAGE_JS },
  "/app.css": { type: "text/css; charset=utf-8", body: PAGE_CSS },
};

const MAX_BODY = 16 * 1024;
const ACTIONS = ["retry", "delete", "recover", "clean"] as const;
type Action = typeof ACTIONS[number];

/** An HTTP failure with a status and a message for the JSON error. */
class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly allow?: string) {
    super(message);
  }
}

const STATUS_OF: Partial<Record<FileStoreErrorCode, number>> = {
  INVALID_NAME: 400,
  INVALID_AREA: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  NOT_A_FILE: 409,
  LOST_CLAIM: 409,
};

/** True for the names and addresses of this machine's loopback interface. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return host === "localhost" || host === "::1" || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(host);
}

// Compares without an early exit, so the time taken tells nothing of the token.
function sameToken(given: string, token: string): boolean {
  let diff = given.length ^ token.length;
  for (let i = 0; i < token.length; i++) diff |= (given.charCodeAt(i) | 0) ^ token.charCodeAt(i);
  return diff === 0;
}

/**
 * Serves a live dashboard of a store: counts per area, arrivals and
 * completions per second over the last minutes, the age of the oldest item
 * in `new/` and `cur/`, stuck claims, and the newest failed items; with a
 * JSON API (`/api/stats`, `/api/items?area=`) and Prometheus metrics
 * (`/metrics`) beside the page. The store is
 * sampled every `interval` (see {@linkcode Sampler} for how arrivals and
 * completions are derived). Binds to 127.0.0.1 unless told otherwise; a
 * non-loopback address and the actions need a `token`.
 *
 * @param store A prepared store.
 * @param options Port, address, token, actions, sampling.
 * @returns The page's URL and a `close()` function.
 * @throws {TypeError} For a non-loopback address or actions without a token, or a short token.
 * @throws {FileStoreError} When the store cannot be read (`NOT_PREPARED`, ...).
 * @example
 * ```ts ignore
 * import { FileStore } from "@filestore/filestore";
 * import { serveDashboard } from "@filestore/filestore/serve";
 *
 * const store = new FileStore("/var/spool/jobs", { areas: ["failed"] });
 * const dashboard = await serveDashboard(store, { port: 8025 });
 * console.log(`Dashboard on ${dashboard.url}`);
 * // later
 * await dashboard.close();
 * ```
 */
export async function serveDashboard(store: FileStore, options: ServeOptions = {}): Promise<Dashboard> {
  const hostname = options.hostname ?? "127.0.0.1";
  const token = options.token === "" ? undefined : options.token;
  const allowActions = options.allowActions ?? false;
  if (token !== undefined && (typeof token !== "string" || token.length < MIN_TOKEN_LENGTH)) {
    throw new TypeError(`Invalid token: it must be a string of at least ${MIN_TOKEN_LENGTH} characters`);
  }
  if (token === undefined && !isLoopback(hostname)) {
    throw new TypeError(`Cannot serve on '${hostname}' without a token: anyone who can reach it could read the store`);
  }
  if (token === undefined && allowActions) {
    throw new TypeError("Cannot allow actions without a token: anyone on this machine could change the store");
  }
  options.signal?.throwIfAborted();

  const sampler = new Sampler(store, {
    interval: options.interval,
    history: options.history,
    lease: options.lease,
    failedArea: options.failedArea,
  });
  await sampler.start();

  const context: Context = { store, sampler, token, allowActions, loopback: isLoopback(hostname), listings: new Map() };
  const server = createServer((request, response) => {
    handle(context, request, response).catch((error) => sendError(response, error));
  });
  try {
    await listen(server, options.port ?? 8025, hostname);
  } catch (error) {
    await sampler.stop();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const host = hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      options.signal?.removeEventListener("abort", onAbort);
      await sampler.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections of polling pages would hold close() open.
        server.closeAllConnections?.();
      });
    })();
    return closing;
  };
  const onAbort = () => void close();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  return { url: `http://${host}:${port}/`, close };
}

function listen(server: Server, port: number, hostname: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(port, hostname, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

interface Context {
  store: FileStore;
  sampler: Sampler;
  token: string | undefined;
  allowActions: boolean;
  loopback: boolean;
  /** Listings in progress, by area: requests that arrive meanwhile share them. */
  listings: Map<string, Promise<AreaEntry[]>>;
}

// Ten viewers asking at once cost one listing, not ten.
function listing(context: Context, area: string): Promise<AreaEntry[]> {
  let pending = context.listings.get(area);
  if (!pending) {
    pending = listEntries(context.store, area).finally(() => context.listings.delete(area));
    context.listings.set(area, pending);
  }
  return pending;
}

async function handle(context: Context, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://dashboard.invalid");
  const method = request.method ?? "GET";
  // A loopback dashboard answers loopback names only: a page elsewhere cannot rebind its own name to it.
  if (context.loopback && !isLoopback(hostOf(request.headers.host))) {
    throw new HttpError(421, `Unexpected host '${request.headers.host ?? ""}': this dashboard serves loopback only`);
  }
  const asset = ASSETS[url.pathname];
  if (asset) {
    allow(method, ["GET", "HEAD"]);
    return send(response, 200, asset.type, asset.body);
  }
  if (url.pathname === "/") {
    allow(method, ["GET", "HEAD"]);
    // The page holds no data (its script fetches the API with the token): it is served to anyone.
    if (url.searchParams.has("token")) {
      throw new HttpError(400, "Put the token in the fragment, not the query: open /#token=<token>");
    }
    return send(response, 200, "text/html; charset=utf-8", PAGE_HTML);
  }
  if (url.pathname === "/metrics") {
    allow(method, ["GET", "HEAD"]);
    requireAuth(context, request);
    const snapshot = context.sampler.snapshot();
    return send(response, 200, PROMETHEUS_CONTENT_TYPE, formatPrometheus(snapshot.stats!, snapshot.totals));
  }
  if (url.pathname === "/api/stats") {
    allow(method, ["GET", "HEAD"]);
    requireAuth(context, request);
    return sendJson(response, 200, statsBody(context));
  }
  if (url.pathname === "/api/items") {
    allow(method, ["GET", "HEAD"]);
    requireAuth(context, request);
    const area = areaParam(context.store, url.searchParams.get("area"));
    const limit = limitParam(url.searchParams.get("limit"));
    const before = url.searchParams.get("before") ?? undefined;
    const items = await newestItems(context.store, area, limit, before, await listing(context, area));
    // The cursor of the next (older) page, when this one is full.
    const next = items.length === limit ? items[items.length - 1].name : null;
    return sendJson(response, 200, { area, items, next });
  }
  const action = /^\/api\/actions\/([a-z]+)$/.exec(url.pathname)?.[1];
  if (action !== undefined && (ACTIONS as readonly string[]).includes(action)) {
    allow(method, ["POST"]);
    if (!context.allowActions) {
      throw new HttpError(403, "Actions are disabled: start the dashboard with --allow-actions (and a token)");
    }
    requireAuth(context, request);
    checkOrigin(request);
    const body = await readJson(request);
    const result = await runAction(context, action as Action, body);
    await context.sampler.sample(); // the page's next poll shows the effect
    return sendJson(response, 200, { ok: true, action, ...result });
  }
  throw new HttpError(404, `Not found: '${url.pathname}'`);
}

function hostOf(header: string | undefined): string {
  if (!header) return "";
  const match = /^(\[[^\]]*\]|[^:]*)(:\d+)?$/.exec(header);
  return match ? match[1] : header;
}

function allow(method: string, methods: string[]): void {
  if (!methods.includes(method)) {
    throw new HttpError(405, `Method ${method} is not allowed here: use ${methods.join(" or ")}`, methods.join(", "));
  }
}

// Only the header: a cookie for 127.0.0.1 is sent to, and can be set by, every port of it.
function authorized(context: Context, request: IncomingMessage): boolean {
  if (context.token === undefined) return true;
  const header = request.headers.authorization;
  if (header === undefined) return false;
  const bearer = /^Bearer\s+(.+)$/i.exec(header);
  return bearer !== null && sameToken(bearer[1].trim(), context.token);
}

function requireAuth(context: Context, request: IncomingMessage): void {
  if (!authorized(context, request)) {
    const given = request.headers.authorization !== undefined;
    throw new HttpError(401, given ? "Invalid token" : "Missing token: send 'Authorization: Bearer <token>'");
  }
}

// Browsers send Origin with every POST: one from another site is refused.
function checkOrigin(request: IncomingMessage): void {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${request.headers.host}`) {
    throw new HttpError(403, `Cross-origin request from '${origin}' refused`);
  }
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const type = request.headers["content-type"] ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, `Unsupported content type '${type}': send application/json`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Uint8Array).byteLength;
    if (size > MAX_BODY) throw new HttpError(413, `Request body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Uint8Array);
  }
  const text = new TextDecoder().decode(concat(chunks, size));
  let body: unknown;
  try {
    body = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new HttpError(400, "Invalid JSON in the request body");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "Invalid request body: expected a JSON object");
  }
  return body as Record<string, unknown>;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/** Checks an area through the store: an unknown one is a 400 naming the known ones. */
function areaParam(store: FileStore, value: unknown): string {
  if (typeof value !== "string") throw new HttpError(400, "Missing area: give one of " + store.areas.join(", "));
  store.areaPath(value);
  return value;
}

// One path component; the store decides the rest (it acts on any existing file's name it can address).
function nameParam(value: unknown): string {
  if (typeof value !== "string") throw new HttpError(400, "Missing name: give the item's file name as a string");
  const problem = value === ""
    ? "it is empty"
    : value === "." || value === ".."
    ? "it is '.' or '..'"
    : value.includes("/")
    ? "it contains '/'"
    : value.includes("\0")
    ? "it contains a NUL byte"
    : isLossy(value)
    ? "it contains U+FFFD: a name that is not valid UTF-8 cannot be given as a string"
    : undefined;
  if (problem) throw new HttpError(400, `Invalid name '${printable(value)}': ${problem}`);
  return value;
}

function limitParam(value: string | null): number {
  if (value === null) return 100;
  if (!/^[1-9]\d{0,3}$/.test(value) || Number(value) > 1000) {
    throw new HttpError(400, `Invalid limit '${value}': expected a whole number from 1 to 1000`);
  }
  return Number(value);
}

function ageParam(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new HttpError(400, `Invalid ${option} '${String(value)}': expected milliseconds, 0 or more`);
  }
  return value;
}

// Actions only touch items of extra areas (failed/, done/, ...) and new/: tmp/ holds files being written
// (clean() handles those) and cur/ holds claims of running workers (recover() handles those).
function itemArea(store: FileStore, value: unknown, action: string, allowNew: boolean): string {
  const area = areaParam(store, value);
  const standard = (STANDARD_AREAS as readonly string[]).includes(area);
  if (standard && !(allowNew && area === "new")) {
    throw new HttpError(400, `Cannot ${action} an item of '${area}': only ${allowNew ? "new/ and " : ""}extra areas`);
  }
  return area;
}

async function runAction(context: Context, action: Action, body: Record<string, unknown>) {
  const { store } = context;
  switch (action) {
    case "retry": {
      const area = itemArea(store, body.area ?? context.sampler.snapshot().failedArea, "retry", false);
      const name = nameParam(body.name);
      await store.move(name, area, "new");
      return { area, name, display: escapeName(name), to: "new" };
    }
    case "delete": {
      const area = itemArea(store, body.area, "delete", true);
      const name = nameParam(body.name);
      await store.remove(name, area);
      return { area, name, display: escapeName(name) };
    }
    case "recover": {
      const olderThan = ageParam(body.olderThan, "olderThan") ?? context.sampler.lease;
      const recovered = await store.recover({ olderThan });
      return { recovered: recovered.map((file) => file.name) };
    }
    case "clean": {
      const tmpOlderThan = ageParam(body.tmpOlderThan, "tmpOlderThan");
      const removed = await store.clean({ tmpOlderThan });
      return { removed: removed.map((file) => file.name) };
    }
  }
}

function statsBody(context: Context) {
  const snapshot = context.sampler.snapshot();
  return {
    ...snapshot.stats,
    lease: context.sampler.lease,
    interval: context.sampler.interval,
    historyMs: context.sampler.history,
    history: snapshot.history,
    failedArea: snapshot.failedArea,
    failed: snapshot.failed,
    error: snapshot.error,
    totals: snapshot.totals,
    actions: context.allowActions,
  };
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { ...HEADERS, "Content-Type": type });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, "application/json; charset=utf-8", JSON.stringify(value) + "\n");
}

function sendError(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  let status = 500;
  let code: string | undefined;
  if (error instanceof HttpError) {
    status = error.status;
    if (error.allow) response.setHeader("Allow", error.allow);
    if (status === 401) response.setHeader("WWW-Authenticate", 'Bearer realm="filestore"');
  } else if (error instanceof FileStoreError) {
    status = STATUS_OF[error.code] ?? 500;
    code = error.code;
  }
  const message = error instanceof Error ? error.message : String(error);
  sendJson(response, status, code ? { error: message, code } : { error: message });
}
