/**
 * The error class of filestore and its stable codes.
 *
 * @module
 */

/**
 * Every condition a caller may want to handle, as a stable string.
 *
 * - `INVALID_NAME`: empty, `.`, `..`, a `/`, `\`, NUL, control character or lone surrogate, a leading `.`, or over
 *   255 bytes.
 * - `INVALID_AREA`: not one of the store's areas.
 * - `NOT_PREPARED`: the store or one of its area directories does not exist.
 * - `IN_THE_WAY`: something that is not a directory sits where one must be.
 * - `NOT_FOUND`: the named file is not in the area.
 * - `ALREADY_EXISTS`: the target name is taken; nothing was replaced.
 * - `CROSS_DEVICE`: the two paths are on different file systems.
 * - `NO_SPACE`: the file system is full (or the quota is exhausted).
 * - `NOT_A_FILE`: a symlink, directory or device where a regular file was expected.
 * - `PERMISSION_DENIED`: the operating system refused access.
 * - `LOST_CLAIM`: the claim is no longer held by the caller (it was recovered).
 * - `UNAVAILABLE`: the file system cannot be reached for now (a network file system lost its server:
 *   ENOTCONN, ETIMEDOUT, EHOSTDOWN, ESTALE after retries...); worth trying again later.
 * - `IO`: any other operating-system error; see `cause`.
 */
export type FileStoreErrorCode =
  | "INVALID_NAME"
  | "INVALID_AREA"
  | "NOT_PREPARED"
  | "IN_THE_WAY"
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "CROSS_DEVICE"
  | "NO_SPACE"
  | "NOT_A_FILE"
  | "PERMISSION_DENIED"
  | "LOST_CLAIM"
  | "UNAVAILABLE"
  | "IO";

/** All codes, for iteration and documentation. */
export const FILE_STORE_ERROR_CODES: readonly FileStoreErrorCode[] = [
  "INVALID_NAME",
  "INVALID_AREA",
  "NOT_PREPARED",
  "IN_THE_WAY",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "CROSS_DEVICE",
  "NO_SPACE",
  "NOT_A_FILE",
  "PERMISSION_DENIED",
  "LOST_CLAIM",
  "UNAVAILABLE",
  "IO",
];

/**
 * Thrown by every FileStore operation for a condition a caller can act on.
 * The operating-system error, if any, is kept as `cause`.
 *
 * @example Telling a taken name from other failures
 * ```ts
 * import { FileStore, FileStoreError } from "@filestore/filestore";
 *
 * const store = new FileStore("./spool");
 * await store.prepare();
 * await store.put("once", { name: "report.txt" });
 * try {
 *   await store.put("twice", { name: "report.txt" });
 * } catch (error) {
 *   if (!(error instanceof FileStoreError) || error.code !== "ALREADY_EXISTS") throw error;
 * }
 * ```
 */
export class FileStoreError extends Error {
  /** The stable code of the condition. */
  readonly code: FileStoreErrorCode;
  /** The path involved, when there is one. */
  readonly path?: string;

  /** Creates an error with a code, a message that names the offending value, and options. */
  constructor(
    code: FileStoreErrorCode,
    message: string,
    options: { cause?: unknown; path?: string } = {},
  ) {
    // Names come from other programs too: no control character ever reaches a terminal or a log line.
    // deno-lint-ignore no-control-regex
    const oneLine = message.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
    super(oneLine, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "FileStoreError";
    this.code = code;
    if (options.path !== undefined) this.path = options.path;
  }
}

/** The errno-style code of an operating-system error, or undefined. */
export function osCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Maps an OS error code to the store's code, for errors not handled more specifically. */
export function codeForOsError(code: string | undefined): FileStoreErrorCode {
  switch (code) {
    case "ENOENT":
      return "NOT_FOUND";
    case "EEXIST":
    case "ENOTEMPTY":
      return "ALREADY_EXISTS";
    case "EXDEV":
      return "CROSS_DEVICE";
    case "ENOSPC":
    case "EDQUOT":
      return "NO_SPACE";
    case "ENOTDIR":
      return "IN_THE_WAY";
    case "ENAMETOOLONG":
      return "INVALID_NAME";
    case "ELOOP":
    case "EISDIR":
    case "EMLINK":
    case "ENXIO":
      return "NOT_A_FILE";
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return "PERMISSION_DENIED";
    case "ENOTCONN":
    case "ETIMEDOUT":
    case "EHOSTDOWN":
    case "EHOSTUNREACH":
    case "ECONNABORTED":
    case "ECONNRESET":
    case "ESTALE":
      return "UNAVAILABLE";
    default:
      return "IO";
  }
}

const DESCRIPTIONS: Record<FileStoreErrorCode, string> = {
  INVALID_NAME: "invalid name",
  INVALID_AREA: "unknown area",
  NOT_PREPARED: "the store is not prepared",
  IN_THE_WAY: "something that is not a directory is in the way",
  NOT_FOUND: "no such file",
  ALREADY_EXISTS: "the name is taken",
  CROSS_DEVICE: "the paths are on different file systems",
  NO_SPACE: "no space left on the file system",
  NOT_A_FILE: "not a regular file",
  PERMISSION_DENIED: "permission denied",
  LOST_CLAIM: "the claim is no longer held",
  UNAVAILABLE: "the file system cannot be reached for now",
  IO: "input/output error",
};

/**
 * Wraps an OS error as a FileStoreError: `Cannot <action> '<path>': <reason>`.
 * FileStoreErrors pass through unchanged.
 */
export function wrapOsError(error: unknown, action: string, path: string): FileStoreError {
  if (error instanceof FileStoreError) return error;
  const os = osCode(error);
  const code = codeForOsError(os);
  const reason = (code === "IO" || code === "UNAVAILABLE") && os ? `${DESCRIPTIONS[code]} (${os})` : DESCRIPTIONS[code];
  return new FileStoreError(code, `Cannot ${action} '${path}': ${reason}`, { cause: error, path });
}

/**
 * Whether an error may go away by itself: the file system is unreachable for
 * now (`UNAVAILABLE`), or reported an I/O error (`IO`, such as EIO from a
 * network mount). Worker loops wait and try again on these.
 *
 * @example
 * ```ts
 * import { FileStoreError, isTransient } from "@filestore/filestore";
 *
 * isTransient(new FileStoreError("UNAVAILABLE", "Cannot claim 'x': the file system cannot be reached for now")); // true
 * ```
 */
export function isTransient(error: unknown): boolean {
  return error instanceof FileStoreError && (error.code === "UNAVAILABLE" || error.code === "IO");
}
