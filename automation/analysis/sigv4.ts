// Amazon Managed Service for Prometheus answers only SigV4-signed requests. The signature comes from the AWS SDK's
// own signer and the standard credential chain (environment, web identity from the workflows' OIDC role, profiles,
// container and instance metadata), so the driver never handles a secret itself.
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { Hash } from "@smithy/core/serde";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

/** The signing name of Amazon Managed Service for Prometheus. */
export const APS_SERVICE = "aps";

export type AwsCredentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** The standard chain, resolved once per process and refreshed by the SDK when it expires. */
let chain: AwsCredentialIdentityProvider | undefined;
export function awsCredentialChain(): AwsCredentialIdentityProvider {
  chain ??= defaultProvider();
  return chain;
}

export interface SigningRequest {
  url: string;
  region: string;
  /** Signing name; default `aps`. */
  service?: string;
  headers?: Record<string, string>;
  credentials: AwsCredentials;
  /** Fixed signing time (tests); default now. */
  at?: Date;
}

function queryOf(u: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of u.searchParams) {
    const seen = query[key];
    query[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return query;
}

/** The headers of a signed GET of `url` (authorization, x-amz-date, the session token when there is one). */
export async function signedGetHeaders(r: SigningRequest): Promise<Record<string, string>> {
  const u = new URL(r.url);
  const signer = new SignatureV4({
    service: r.service ?? APS_SERVICE,
    region: r.region,
    credentials: r.credentials,
    sha256: Hash.bind(null, "sha256"),
    // A GET has no body to hash into a header; Amazon Managed Prometheus does not ask for one.
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: "GET",
      protocol: u.protocol,
      hostname: u.hostname,
      port: u.port === "" ? undefined : Number(u.port),
      path: u.pathname,
      query: queryOf(u),
      headers: { ...r.headers, host: u.host },
    },
    { signingDate: r.at },
  );
  // fetch sets Host itself, from the same URL.
  const { host: _host, ...headers } = signed.headers;
  return headers;
}
