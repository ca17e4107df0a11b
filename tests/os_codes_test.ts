// Adapters name OS errors by errno where the runtime does not (ESTALE above all).
import { test } from "node:test";
import assert from "node:assert/strict";
import { constants } from "node:os";
import { withOsCode } from "../src/adapters/_os_codes.ts";

const ESTALE = constants.errno.ESTALE;

test("an error Node's libuv cannot name gets its errno name as code", () => {
  const error = Object.assign(new Error(`Unknown system error -${ESTALE}, open '/x'`), {
    code: `Unknown system error -${ESTALE}`,
    errno: -ESTALE,
  });
  assert.equal((withOsCode(error) as { code: string }).code, "ESTALE");
  const denoNodeFs = Object.assign(new Error("UNKNOWN: unknown error"), { code: "UNKNOWN", errno: -ESTALE });
  assert.equal((withOsCode(denoNodeFs) as { code: string }).code, "ESTALE");
});

test("a Deno error naming the errno only in its message gets the code", () => {
  const error = new Error(`Stale file handle (os error ${ESTALE}): readfile '/x'`);
  assert.equal((withOsCode(error) as { code: string }).code, "ESTALE");
});

test("errors that have a proper code, or none to find, are left alone", () => {
  const enoent = Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT", errno: -constants.errno.ENOENT });
  assert.equal((withOsCode(enoent) as { code: string }).code, "ENOENT");
  const plain = new Error("something else");
  assert.equal((withOsCode(plain) as { code?: string }).code, undefined);
  assert.equal(withOsCode("a string"), "a string");
});
