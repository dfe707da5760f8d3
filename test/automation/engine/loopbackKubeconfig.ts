// A kubeconfig pointing at a test API server on 127.0.0.1, for the tests that read the cluster through its API.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Writes a kubeconfig for http://127.0.0.1:<port> into a new temporary directory; returns its path. */
export function loopbackKubeconfig(port: number, prefix: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), prefix)), "kubeconfig.yaml");
  fs.writeFileSync(
    file,
    [
      "apiVersion: v1",
      "kind: Config",
      "current-context: t",
      `clusters: [{name: t, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`,
      "users: [{name: t, user: {token: x}}]",
      "contexts: [{name: t, context: {cluster: t, user: t}}]",
    ].join("\n"),
  );
  return file;
}
