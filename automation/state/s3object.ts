// The one place the S3 store talks to S3: get, put (plain, create-only or replace-only-this-version), delete and list
// of the objects under a stack's directory, each failure mapped to an EngineError naming the backend and what to
// check. A lost condition (412, or 409 ConditionalRequestConflict) is not a failure but an answer: `undefined`.
import type { S3Client } from "@aws-sdk/client-s3";
import { EngineError } from "../errors";
import type { S3Backend } from "./s3url";

type Sdk = typeof import("@aws-sdk/client-s3");
const sdk = (): Promise<Sdk> => import("@aws-sdk/client-s3");

export function status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}
/** 412: the condition failed; 409 ConditionalRequestConflict: a concurrent conditional write won. Both mean "lost". */
export function lostRace(err: unknown): boolean {
  return status(err) === 412 || status(err) === 409;
}
export function missing(err: unknown): boolean {
  return status(err) === 404 || (err as Error).name === "NoSuchKey";
}

export interface Got {
  text: string;
  etag: string;
  /** Last-Modified in ms since the epoch, 0 when the server sent none. */
  modified: number;
}

/** No condition; create only if absent (If-None-Match: *); replace only this version (If-Match: <etag>). */
export type Condition = undefined | { create: true } | { etag: string };

export class S3Objects {
  constructor(
    private readonly backend: S3Backend,
    private readonly client: () => Promise<S3Client>,
  ) {}

  fail(what: string, err: unknown): EngineError {
    const e = err as Error;
    return new EngineError(
      `${what} on ${this.backend.url} failed: ${e.name}: ${e.message}; check the bucket, the region (?region=) and the ` +
        "AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, a role)",
    );
  }

  /** The object's text and version, or undefined when there is none. */
  async get(key: string, what: string): Promise<Got | undefined> {
    const { GetObjectCommand } = await sdk();
    try {
      const got = await (await this.client()).send(new GetObjectCommand({ Bucket: this.backend.bucket, Key: key }));
      const text = (await got.Body?.transformToString()) ?? "";
      return { text, etag: got.ETag ?? "", modified: got.LastModified?.getTime() ?? 0 };
    } catch (err) {
      if (missing(err)) return undefined;
      throw this.fail(what, err);
    }
  }

  /** Writes the object; resolves to its new ETag, or undefined when `cond` was not met (nothing written). */
  async put(key: string, body: string, what: string, cond?: Condition): Promise<string | undefined> {
    const { PutObjectCommand } = await sdk();
    const c = cond === undefined ? {} : "create" in cond ? { IfNoneMatch: "*" } : { IfMatch: cond.etag };
    try {
      const out = await (
        await this.client()
      ).send(
        new PutObjectCommand({
          Bucket: this.backend.bucket,
          Key: key,
          Body: body,
          ContentType: "application/json",
          ...c,
        }),
      );
      return out.ETag ?? "";
    } catch (err) {
      if (cond !== undefined && (lostRace(err) || missing(err))) return undefined;
      throw this.fail(what, err);
    }
  }

  async remove(key: string, what: string): Promise<void> {
    const { DeleteObjectCommand } = await sdk();
    try {
      await (await this.client()).send(new DeleteObjectCommand({ Bucket: this.backend.bucket, Key: key }));
    } catch (err) {
      if (!missing(err)) throw this.fail(what, err);
    }
  }

  /** Every key under `prefix`, sorted, page by page. */
  async list(prefix: string, what: string): Promise<string[]> {
    const { ListObjectsV2Command } = await sdk();
    const s3 = await this.client();
    const keys: string[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await s3.send(
          new ListObjectsV2Command({ Bucket: this.backend.bucket, Prefix: prefix, ContinuationToken: token }),
        );
      } catch (err) {
        throw this.fail(what, err);
      }
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }
}
