// Credentials in URLs. A gate URL is printed in verdicts, the journal and the CI log, so it must carry none: stack
// config refuses one (`gateUrlProblem`), and every URL shown anywhere is first passed through `displayUrl`, which
// replaces a password and every sensitive query value with "***". Pure: no I/O, so config and driver share it.

/** What replaces a credential inside a URL. */
export const URL_MASK = "***";

/** Query parameters whose value is a credential (compared case-insensitively). */
const SENSITIVE_PARAM =
  /^(access[-_]?token|refresh[-_]?token|id[-_]?token|token|auth|authorization|key|api[-_]?key|apikey|secret|client[-_]?secret|password|passwd|pwd|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|private[-_]?token|session[-_]?token)$/i;

/** Whether a query parameter's name says its value is a credential. */
export function isSensitiveParam(name: string): boolean {
  return SENSITIVE_PARAM.test(name.trim());
}

function parsed(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** The credential-carrying parts of a URL: "user:password@" and the names of sensitive query parameters. */
export function credentialsIn(url: string): { userinfo: boolean; params: string[] } {
  const u = parsed(url);
  if (u === undefined) return { userinfo: /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]*@/i.test(url), params: [] };
  const params = [...new Set([...u.searchParams.keys()].filter(isSensitiveParam))];
  return { userinfo: u.username !== "" || u.password !== "", params };
}

/**
 * Why a gate URL must not be used, or undefined when it carries no credentials. `key` names the config key for the
 * message (e.g. "slipway:canary.analysis[1].url").
 */
export function gateUrlProblem(url: string, key = "url"): string | undefined {
  const { userinfo, params } = credentialsIn(url);
  if (!userinfo && params.length === 0) return undefined;
  const what = [
    ...(userinfo ? ["user:password@ credentials"] : []),
    ...params.map((p) => `the credential query parameter "${p}"`),
  ].join(" and ");
  return (
    `${key}: "${displayUrl(url)}" carries ${what}; a gate URL is printed in verdicts, the journal and the CI log. ` +
    "Remove them from the URL: put the token in a Kubernetes Secret / secret reference (or reach the endpoint " +
    "through the API server's service proxy or SigV4, which authenticate without it)"
  );
}

function maskedAuthority(text: string): string {
  // scheme://user:pass@host -> scheme://***@host, also where the URL does not parse.
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/i, `$1${URL_MASK}@`);
}

function maskedQuery(text: string): string {
  return text.replace(/([?&;])([^=&#;\s]+)=([^&#;\s]*)/g, (all, sep: string, name: string, value: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // keep the raw name
    }
    return isSensitiveParam(decoded) && value !== "" ? `${sep}${name}=${URL_MASK}` : all;
  });
}

/** `url` fit to print: userinfo and sensitive query values replaced by "***"; the rest as written. */
export function displayUrl(url: string): string {
  return maskedQuery(maskedAuthority(url));
}
