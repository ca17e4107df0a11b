/**
 * The order in which the command line and the dashboard show names: digit
 * runs compare as numbers, the rest by code unit. For filestore's unique
 * names (`SECONDS.M<usec>P<pid>Q<seq>.host`) that is arrival order, also
 * within a second, where plain string order puts `M591` after `M1022`.
 *
 * @module
 */

const isDigit = (code: number) => code >= 48 && code <= 57;

// The end of the digit run that starts at `from`.
function runEnd(s: string, from: number): number {
  let end = from;
  while (end < s.length && isDigit(s.charCodeAt(end))) end++;
  return end;
}

// The first index of the run without its leading zeros (keeps one digit).
function skipZeros(s: string, from: number, end: number): number {
  while (from < end - 1 && s.charCodeAt(from) === 48) from++;
  return from;
}

/** Compares two names, numbers in them by value; a total order (ties fall back to string order). No allocation. */
export function byNameOrder(a: string, b: string): number {
  let i = 0;
  const common = Math.min(a.length, b.length);
  while (i < common && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === a.length || i === b.length) return a.length - b.length;
  // The digit run the first difference is in starts at `start` (the same in both: the prefix is common).
  let start = i;
  while (start > 0 && isDigit(a.charCodeAt(start - 1))) start--;
  if (isDigit(a.charCodeAt(start)) && isDigit(b.charCodeAt(start))) {
    const endA = runEnd(a, start), endB = runEnd(b, start);
    const fromA = skipZeros(a, start, endA), fromB = skipZeros(b, start, endB);
    const lengthA = endA - fromA, lengthB = endB - fromB;
    if (lengthA !== lengthB) return lengthA - lengthB;
    for (let k = 0; k < lengthA; k++) {
      const d = a.charCodeAt(fromA + k) - b.charCodeAt(fromB + k);
      if (d !== 0) return d;
    }
  }
  return a.charCodeAt(i) - b.charCodeAt(i);
}
