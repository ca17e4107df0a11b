// parseName() reads fields one comma at a time; the rule it follows is the
// regex that keyOf() applies. These tests hold the two to each other.
import { test } from "node:test";
import assert from "node:assert/strict";
import { keyOf, orderKey, parseName } from "../mod.ts";

// The rule, as a regex: `,NAME=value` up to the next comma, for the transient fields.
function byRegex(name: string) {
  const colon = name.indexOf(":");
  const base = colon === -1 ? name : name.slice(0, colon);
  let attempts = 0, priority = 0, due: number | undefined, claim: string | undefined;
  let kept = base;
  const key = base.replace(/,(A|C|D|P|U|FMD5)=([^,]*)/g, (whole, field: string, value: string) => {
    if (field === "A") attempts = Number.parseInt(value, 10) || 0;
    if (field === "C") claim = value;
    if (field === "D") due = Number.parseInt(value, 10) || 0;
    if (field === "P") priority = Number.parseInt(value, 10) || 0;
    if (field === "A" || field === "C" || field === "D") kept = kept.replace(whole, "");
    return "";
  });
  return { key, kept, attempts, priority, due, claim };
}

// 5,000 names from `make`, fed by a seeded xorshift (the same names every run); fails
// when fewer than 3,000 of them differ, so that a broken generator cannot pass for a test.
function* generatedNames(seed: number, make: (random: (n: number) => number) => string): Generator<string> {
  const random = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const seen = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const name = make(random);
    seen.add(name);
    yield name;
  }
  assert.ok(seen.size > 3000, `only ${seen.size} distinct names were generated`);
}

const PIECES = [
  ",A=1",
  ",A=12",
  ",A=",
  ",A",
  ",AB=3",
  ",C=P9Rab@host",
  ",C=broken",
  ",D=1700000000000",
  ",P=-4",
  ",P=7",
  ",U=81",
  ",FMD5=ab",
  ",FMD=1",
  ",S=120",
  ",W=130",
  ",",
  ",,",
  "=",
  "x",
  ",a=1",
];

test("parseName splits fields exactly as the regex rule does, on generated names", () => {
  for (
    const name of generatedNames(7, (random) => {
      let name = ["1700000000.M1P2Q3.host", "job", "", "a,b"][random(4)];
      for (let pieces = random(6); pieces > 0; pieces--) name += PIECES[random(PIECES.length)];
      if (random(3) === 0) name += [":2,S", ":2,", ":", ":2,A=1"][random(4)];
      return name;
    })
  ) {
    const parts = parseName(name);
    const expected = byRegex(name);
    const context = `for '${name}'`;
    assert.equal(parts.key, expected.key, `key ${context}`);
    assert.equal(parts.kept, expected.kept, `kept ${context}`);
    assert.equal(parts.attempts, expected.attempts, `attempts ${context}`);
    assert.equal(parts.priority, expected.priority, `priority ${context}`);
    assert.equal(parts.due, expected.due, `due ${context}`);
    assert.equal(
      parts.claim === undefined,
      expected.claim === undefined || !/^P\d+R[0-9a-f]+@.+$/.test(expected.claim),
    );
    assert.equal(parts.key, keyOf(name), `keyOf ${context}`);
  }
});

test("parseName keeps other programs' fields in place and drops filestore's", () => {
  const parts = parseName("1700000000.M1P2Q3.host,S=120,A=2,P=5,C=P9Rab@h,U=7:2,S");
  assert.equal(parts.key, "1700000000.M1P2Q3.host,S=120");
  assert.equal(parts.kept, "1700000000.M1P2Q3.host,S=120,P=5,U=7");
  assert.equal(parts.attempts, 2);
  assert.equal(parts.priority, 5);
  assert.deepEqual(parts.claim, { pid: 9, tag: "ab", host: "h" });
  assert.equal(parts.info, "2,S");
});

// The order rule for names without a priority, as regexes: seconds before the first dot, then
// the first `M<1-6 digits>` and the first `Q<digits>`, `#<hex>` or `_<digits>` of the id.
function orderByRegex(name: string): string {
  const match = /^(\d{1,15})\.([^.]*)/.exec(name);
  if (!match) return `~${name}`;
  const micros = /M(\d{1,6})(?!\d)/.exec(match[2]);
  const sequence = /Q(\d+)|#([0-9a-fA-F]+)|_(\d+)/.exec(match[2]);
  const seq = !sequence
    ? 0
    : sequence[1] !== undefined
    ? Number(sequence[1])
    : sequence[2] !== undefined
    ? Number.parseInt(sequence[2], 16)
    : Number(sequence[3]);
  const hex = (value: number, width: number) => {
    const text = Number.isSafeInteger(value) && value >= 0 ? value.toString(16) : "f".repeat(width);
    return text.length >= width ? text.slice(-width) : text.padStart(width, "0");
  };
  const time = Number(match[1]) * 1_000_000 + (micros ? Number(micros[1]) : 0);
  return `${hex(time, 14)}${hex(seq, 12)}${name}`;
}

const ID_PIECES = [
  "M",
  "M1",
  "M123456",
  "M1234567",
  "Q",
  "Q7",
  "Q0042",
  "#",
  "#fF0",
  "#g",
  "_",
  "_12",
  "P3",
  "R9a",
  "x",
  "9",
];

test("orderKey's fixed-width numbers are right at every digit boundary, and all f past the safe integers", () => {
  const sequences = [
    0,
    1,
    15,
    16,
    255,
    256,
    0xffffff,
    0x1000000,
    2 ** 47,
    2 ** 48 - 1,
    2 ** 48,
    2 ** 53 - 1,
    2 ** 53 + 2,
  ];
  const seconds = ["0", "1", "16777215", "16777216", "1700000000", "9007199254", "9007199255", "999999999999999"];
  for (const second of seconds) {
    for (const sequence of sequences) {
      const name = `${second}.M999999Q${BigInt(sequence)}.host`;
      assert.equal(orderKey(name), orderByRegex(name), `order key of '${name}'`);
    }
  }
  assert.equal(orderKey("1.M0Q9007199254740994.h").slice(14, 26), "ffffffffffff");
  assert.equal(orderKey("1.M2Q3.h").slice(0, 26), "00000000" + "0f4242" + "000000000003");
});

test("orderKey reads the numbers of a name exactly as the regex rule does, on generated names", () => {
  for (
    const name of generatedNames(11, (random) => {
      let id = "";
      for (let pieces = random(5); pieces > 0; pieces--) id += ID_PIECES[random(ID_PIECES.length)];
      return `${["1700000000", "17", "x1", ""][random(4)]}.${id}${["", ".host", ".host:2,S", ".a.b"][random(4)]}`;
    })
  ) {
    assert.equal(orderKey(name), orderByRegex(name), `order key of '${name}'`);
  }
});
