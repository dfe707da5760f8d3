// Default server-side encryption of every S3 bucket, inline or through its own configuration resource.
import {
  Bucket,
  BucketServerSideEncryptionConfiguration,
  BucketServerSideEncryptionConfigurationV2,
  BucketV2,
} from "@pulumi/aws/s3";
import { linkedResources } from "./lib/aws";
import { stackPolicy, StackSubject, typeOf } from "./lib/define";
import { Report } from "./lib/report";
import { get, list, show } from "./lib/values";

export interface BucketEncryptionConfig {
  /** Require SSE-KMS (aws:kms or aws:kms:dsse) rather than S3-managed keys (AES256). */
  requireKms: boolean;
}

const BUCKET_TYPES = [typeOf(Bucket), typeOf(BucketV2)];
const SSE_CONFIG_TYPES = [
  typeOf(BucketServerSideEncryptionConfiguration),
  typeOf(BucketServerSideEncryptionConfigurationV2),
];
const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

/** The SSE algorithms a bucket declares inline, in either provider shape; undefined when unknown. */
function inlineAlgorithms(bucket: StackSubject, report: Report, label: string): unknown[] | undefined {
  if (bucket.type === typeOf(Bucket)) {
    const algorithm = get(
      bucket.props,
      "serverSideEncryptionConfiguration",
      "rule",
      "applyServerSideEncryptionByDefault",
      "sseAlgorithm",
    );
    if (!report.known(algorithm, `${label} serverSideEncryptionConfiguration`, bucket.urn)) {
      return undefined;
    }
    return algorithm === undefined ? [] : [algorithm];
  }
  const found: unknown[] = [];
  const configs = list(bucket.props, "serverSideEncryptionConfigurations");
  if (!report.known(configs, `${label} serverSideEncryptionConfigurations`, bucket.urn)) {
    return undefined;
  }
  for (const config of configs) {
    for (const rule of asList(get(config, "rules"))) {
      for (const byDefault of asList(get(rule, "applyServerSideEncryptionByDefaults"))) {
        found.push(get(byDefault, "sseAlgorithm"));
      }
    }
  }
  return found;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The SSE algorithms of the separate configuration resources that point at `bucket`. */
function attachedAlgorithms(resources: StackSubject[], bucket: StackSubject, report: Report): unknown[] {
  const found: unknown[] = [];
  for (const config of resources) {
    if (!SSE_CONFIG_TYPES.includes(config.type)) {
      continue;
    }
    const targets = linkedResources(
      resources,
      config,
      "bucket",
      BUCKET_TYPES,
      report,
      `Bucket encryption "${config.name}"`,
    );
    if (targets === undefined || !targets.some((t) => t.urn === bucket.urn)) {
      continue;
    }
    for (const rule of asList(get(config.props, "rules"))) {
      found.push(get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm"));
    }
  }
  return found;
}

export const s3BucketEncrypted = stackPolicy<BucketEncryptionConfig>({
  name: "s3-bucket-encrypted",
  description:
    "Checks whether every S3 bucket declares default server-side encryption, inline or through a BucketServerSideEncryptionConfiguration, with KMS where the stack requires it.",
  defaults: { requireKms: false },
  configSchema: { properties: { requireKms: { type: "boolean", default: false } } },
  check: (resources, config, report) => {
    const allowed = config.requireKms ? SSE_ALGORITHMS.filter((a) => a !== "AES256") : SSE_ALGORITHMS;
    for (const bucket of resources) {
      if (!BUCKET_TYPES.includes(bucket.type)) {
        continue;
      }
      const label = `S3 bucket "${bucket.name}"`;
      const inline = inlineAlgorithms(bucket, report, label);
      if (inline === undefined) {
        continue;
      }
      const algorithms = [...inline, ...attachedAlgorithms(resources, bucket, report)];
      if (algorithms.some((a) => !report.known(a, `${label} sseAlgorithm`, bucket.urn))) {
        continue;
      }
      if (algorithms.length === 0) {
        report.fail(
          `${label} must declare default server-side encryption; add a BucketServerSideEncryptionConfiguration with sseAlgorithm ${config.requireKms ? '"aws:kms"' : '"aws:kms" or "AES256"'}.`,
          bucket.urn,
        );
      } else if (!algorithms.every((a) => typeof a === "string" && allowed.includes(a))) {
        report.fail(
          `${label} must encrypt with ${allowed.map(show).join(" or ")} (it declares ${algorithms.map(show).join(", ")}); change sseAlgorithm${config.requireKms ? " and set kmsMasterKeyId to the stack's KMS key" : ""}.`,
          bucket.urn,
        );
      }
    }
  },
});
