// The journal's hash chain: every entry carries the SHA-256 of the entry before it, over a canonical JSON encoding
// (RFC 8785, `canonicalize`), so an entry changed, removed, reordered or inserted after the fact shows at that entry.
// A journal written before the chain is adopted, not rewritten: a marked genesis entry pins the digest of every
// older entry. Pure: the stores (journal.ts, s3.ts) hand records in as text and write what `seal` returns.
import canonicalize from "canonicalize";
import { createHash } from "crypto";

export interface Link {
  /** Position in the chain, 0 for the first chained entry. */
  n: number;
  /** Hash of the previous entry; for a genesis, the digest of the unchained entries it adopted; null to start. */
  prev: string | null;
  /** SHA-256 of this entry's canonical JSON without `chain.hash`. */
  hash: string;
  /** On a genesis entry: how many unchained entries came before it. */
  adopted?: number;
}

export const GENESIS = "genesis";

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The hash an entry must carry: its canonical JSON with `chain.hash` left out. */
export function hashOf(entry: Record<string, unknown>): string {
  const { hash: _hash, ...link } = (entry.chain ?? {}) as Partial<Link>;
  return sha256(canonicalize({ ...entry, chain: link }) ?? "");
}

/** Digest pinned by a genesis entry: the unchained entries' texts as stored, in order. */
export function adoptedDigest(texts: readonly string[]): string {
  return sha256(canonicalize(texts) ?? "");
}

function parse(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function linkOf(entry: Record<string, unknown> | undefined): Link | undefined {
  const c = entry?.chain as Partial<Link> | undefined;
  return c && typeof c.n === "number" && typeof c.hash === "string" && (c.prev === null || typeof c.prev === "string")
    ? (c as Link)
    : undefined;
}

function link<T extends object>(entry: T, n: number, prev: string | null, adopted?: number): T & { chain: Link } {
  // Round-trip first so the hash covers exactly what JSON.stringify will store (undefined fields dropped).
  const plain = JSON.parse(JSON.stringify(entry)) as Record<string, unknown>;
  const chain: Omit<Link, "hash"> = adopted === undefined ? { n, prev } : { n, prev, adopted };
  const sealed = { ...plain, chain } as Record<string, unknown>;
  return { ...plain, chain: { ...chain, hash: hashOf(sealed) } } as T & { chain: Link };
}

/**
 * The records to store for `entry`: the entry linked to the last chained record, preceded by a genesis entry when
 * the journal has only unchained ones. `last` is the last stored text; `all` is read only when that is not chained.
 * An unchained record after chained ones is not adopted (that would launder an insertion): verify reports it.
 */
export async function seal<T extends { at: string; stack: string }>(
  entry: T,
  last: string | undefined,
  all: () => Promise<string[]>,
): Promise<object[]> {
  if (last === undefined) return [link(entry, 0, null)];
  const tail = linkOf(parse(last));
  if (tail) return [link(entry, tail.n + 1, tail.hash)];
  const texts = await all();
  const chained = texts
    .map((t) => linkOf(parse(t)))
    .filter((l): l is Link => l !== undefined)
    .at(-1);
  if (chained) return [link(entry, chained.n + 1, chained.hash)];
  const genesis = link(
    {
      at: entry.at,
      promotionId: GENESIS,
      stack: entry.stack,
      event: GENESIS,
      action: "adopt",
      detail: `adopted ${texts.length} entries written before the hash chain`,
    },
    0,
    adoptedDigest(texts),
    texts.length,
  );
  return [genesis, link(entry, 1, genesis.chain.hash)];
}

export type Problem =
  "changed" | "removed" | "reordered" | "inserted" | "unchained" | "rewritten" | "truncated" | "deleted";
export interface StoredRecord {
  /** Where the record is: "journal.jsonl:12" or the S3 key. */
  ref: string;
  text: string;
}
export interface Verification {
  ok: boolean;
  entries: number;
  /** Hash of the last entry: what a later verification must still reach. */
  head?: string;
  /** Entries adopted by the genesis (written before the chain). */
  adopted: number;
  broken?: { index: number; ref: string; problem: Problem; detail: string };
}

export function broken(
  records: readonly StoredRecord[],
  index: number,
  problem: Problem,
  detail: string,
  adopted: number,
): Verification {
  return {
    ok: false,
    entries: records.length,
    adopted,
    broken: { index, ref: records[index]?.ref ?? "(end)", problem, detail },
  };
}

/** Where the chain starts: after the unchained entries a genesis adopted, whose digest must still match. */
function start(
  records: readonly StoredRecord[],
): { from: number; prev: string | null; adopted: number } | Verification {
  const first = records.findIndex((r) => linkOf(parse(r.text)) !== undefined);
  if (first === 0 || records.length === 0) return { from: 0, prev: null, adopted: 0 };
  const g = parse(records[Math.max(first, 0)]?.text);
  const gl = linkOf(g);
  if (first < 0)
    return broken(
      records,
      0,
      "unchained",
      "no entry carries a chain link: the journal predates the chain and has not been adopted yet (the next append adopts it)",
      0,
    );
  if (g?.event !== GENESIS || gl?.adopted === undefined) {
    return gl !== undefined && gl.n > 0
      ? broken(
          records,
          first,
          "removed",
          `the first chained entry is entry ${gl.n}: the entries before it, or the genesis, were removed`,
          0,
        )
      : broken(
          records,
          first,
          "inserted",
          "unchained entries precede the first chained one, which is not a genesis",
          0,
        );
  }
  const texts = records.slice(0, first).map((r) => r.text);
  if (gl.adopted !== first || gl.prev !== adoptedDigest(texts)) {
    return broken(
      records,
      first,
      "changed",
      `the ${gl.adopted} entries before the genesis no longer match its digest (now ${first} entries): one of them was changed, removed or added`,
      first,
    );
  }
  return { from: first, prev: null, adopted: first };
}

/** The hash of the last stored entry, when it is chained: the anchor to keep outside the backend. */
export function headOf(records: readonly StoredRecord[]): string | undefined {
  return linkOf(parse(records.at(-1)?.text))?.hash;
}

/**
 * Recomputes the chain; reports the first entry that was changed, removed, reordered or inserted. `anchor`, a head
 * hash kept outside the backend (a CI run's output), must still be in the chain: a chain rewritten from some entry
 * on, every later hash recomputed, is internally consistent but no longer contains it.
 */
export function verifyChain(records: readonly StoredRecord[], anchor?: string): Verification {
  const v = verifyLinks(records);
  if (!v.ok || anchor === undefined) return v;
  if (records.some((r) => linkOf(parse(r.text))?.hash === anchor)) return v;
  return broken(
    records,
    records.length - 1,
    "rewritten",
    `the head ${anchor.slice(0, 12)} kept outside the backend is not in the chain any more: entries were rewritten and their hashes recomputed`,
    v.adopted,
  );
}

function verifyLinks(records: readonly StoredRecord[]): Verification {
  const s = start(records);
  if ("ok" in s) return s;
  let prev: string | null = s.prev;
  let expected = 0;
  for (let i = s.from; i < records.length; i++) {
    const entry = parse(records[i].text);
    if (entry === undefined) return broken(records, i, "changed", "the entry is not valid JSON any more", s.adopted);
    const l = linkOf(entry);
    if (l === undefined)
      return broken(
        records,
        i,
        "inserted",
        "the entry carries no chain link: it was not written by slipway's append",
        s.adopted,
      );
    if (hashOf(entry) !== l.hash)
      return broken(records, i, "changed", `its content no longer matches its hash ${l.hash.slice(0, 12)}`, s.adopted);
    const isGenesis = i === s.from && s.adopted > 0;
    if (!isGenesis && (l.n !== expected || l.prev !== prev)) return linkProblem(records, i, l, expected, s.adopted);
    prev = l.hash;
    expected = l.n + 1;
  }
  return { ok: true, entries: records.length, head: prev ?? undefined, adopted: s.adopted };
}

function linkProblem(
  records: readonly StoredRecord[],
  i: number,
  l: Link,
  expected: number,
  adopted: number,
): Verification {
  const later = records.slice(i + 1).some((r) => linkOf(parse(r.text))?.n === expected);
  if (l.n > expected && later)
    return broken(
      records,
      i,
      "reordered",
      `entry ${l.n} stands where entry ${expected} belongs, which comes later`,
      adopted,
    );
  if (l.n > expected)
    return broken(records, i, "removed", `entries ${expected}..${l.n - 1} before it are missing`, adopted);
  if (l.n < expected) return broken(records, i, "reordered", `entry ${l.n} comes after entry ${expected - 1}`, adopted);
  return broken(
    records,
    i,
    "inserted",
    `it links to ${l.prev?.slice(0, 12) ?? "nothing"}, not to the entry before it`,
    adopted,
  );
}
