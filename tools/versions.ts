/**
 * The engine's binaries: which Go module builds each one, at which version, with which link-time version strings.
 * tools/go/<module>/go.mod pins the exact module versions; this table names what the binaries report and is hashed
 * (with those go.mod/go.sum files) into the cache key, so changing either rebuilds only the group it touches.
 * Why these versions (the module proxy here serves only some versions): see tools/README.md.
 */

/** One `go build` output. */
export interface ToolBinary {
  /** File name in the bin directory. */
  name: string;
  /** Go package to build, resolved through the wrapper module ("." for the wrapper's own main). */
  pkg: string;
}

/** A wrapper module under tools/go and the binaries built from it. */
export interface ToolGroup {
  /** Directory name under tools/go. */
  module: string;
  /** Version printed in progress lines and reported by the binaries. */
  version: string;
  binaries: ToolBinary[];
  /** `-X` assignments (package.var=value) that stamp the version strings. */
  versionVars: Record<string, string>;
  /** Extra build tags. */
  tags?: string[];
  /** Kept out of the PATH bin directory (the Kubernetes provider is installed as a Pulumi plugin instead). */
  pluginOnly?: boolean;
}

export const PULUMI_VERSION = "3.259.0";
/** Node language host: the newest pseudo-version the module proxy serves (commit bee5e4fa4815, before v3.188.0). */
export const LANGUAGE_NODEJS_VERSION = "3.188.0-dev.20250806165243.bee5e4fa4815";
/**
 * Kubernetes provider: provider/v4 pseudo-version v4.0.0-20260115033456-f47bc2d6f199, the tree released as 4.25.0
 * (its schema has exactly the resource set of the @pulumi/kubernetes 4.25.0 SDK). The SDK asks for this plugin version.
 */
export const KUBERNETES_PROVIDER_VERSION = "4.25.0";
export const KUBERNETES_VERSION = "1.36.5";
/** Commit date of the v1.36.5 tag, used as the reproducible build date. */
const KUBERNETES_BUILD_DATE = "2026-09-23T18:59:36Z";
export const ETCD_VERSION = "3.6.14";
export const KWOK_VERSION = "0.8.0";
/** Go module version of Prometheus 3.16.0 (the project tags its Go module v0.3MM.P for release 3.MM.P). */
export const PROMETHEUS_MODULE_VERSION = "0.316.0";
export const PROMETHEUS_VERSION = "3.16.0";

const pulumiVersionVar = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version";

function kubernetesVersionVars(): Record<string, string> {
  const [major, minor] = KUBERNETES_VERSION.split(".");
  const vars: Record<string, string> = {};
  // Both packages carry the version: component-base for the servers' /version, client-go for kubectl's client line.
  for (const pkg of ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]) {
    vars[`${pkg}.gitMajor`] = major;
    vars[`${pkg}.gitMinor`] = minor;
    vars[`${pkg}.gitVersion`] = `v${KUBERNETES_VERSION}`;
    vars[`${pkg}.gitTreeState`] = "archive";
    vars[`${pkg}.buildDate`] = KUBERNETES_BUILD_DATE;
  }
  return vars;
}

/** Build order: the Pulumi pieces first (they unblock program tests), then the cluster. */
export const TOOL_GROUPS: ToolGroup[] = [
  {
    module: "pulumi",
    version: `v${PULUMI_VERSION}`,
    binaries: [{ name: "pulumi", pkg: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi" }],
    versionVars: { [pulumiVersionVar]: `v${PULUMI_VERSION}` },
    tags: ["osusergo", "grpcnotrace"],
  },
  {
    module: "language-nodejs",
    version: `v${LANGUAGE_NODEJS_VERSION}`,
    binaries: [
      { name: "pulumi-language-nodejs", pkg: "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3" },
    ],
    versionVars: { [pulumiVersionVar]: `v${LANGUAGE_NODEJS_VERSION}` },
  },
  {
    module: "kubernetes-provider",
    version: `v${KUBERNETES_PROVIDER_VERSION}`,
    binaries: [{ name: "pulumi-resource-kubernetes", pkg: "." }],
    versionVars: { "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version": KUBERNETES_PROVIDER_VERSION },
    pluginOnly: true,
  },
  {
    module: "etcd",
    version: `v${ETCD_VERSION}`,
    // etcd reports the version compiled into go.etcd.io/etcd/api/v3/version; nothing to stamp.
    binaries: [{ name: "etcd", pkg: "go.etcd.io/etcd/server/v3" }],
    versionVars: {},
  },
  {
    module: "kwok",
    version: `v${KWOK_VERSION}`,
    binaries: [
      { name: "kwok", pkg: "sigs.k8s.io/kwok/cmd/kwok" },
      { name: "kwokctl", pkg: "sigs.k8s.io/kwok/cmd/kwokctl" },
    ],
    versionVars: {
      "sigs.k8s.io/kwok/pkg/consts.Version": KWOK_VERSION,
      "sigs.k8s.io/kwok/pkg/consts.KubeVersion": KUBERNETES_VERSION,
    },
  },
  {
    module: "kubernetes",
    version: `v${KUBERNETES_VERSION}`,
    binaries: [
      { name: "kube-apiserver", pkg: "k8s.io/kubernetes/cmd/kube-apiserver" },
      { name: "kube-controller-manager", pkg: "k8s.io/kubernetes/cmd/kube-controller-manager" },
      { name: "kube-scheduler", pkg: "k8s.io/kubernetes/cmd/kube-scheduler" },
      { name: "kubectl", pkg: "k8s.io/kubernetes/cmd/kubectl" },
    ],
    versionVars: kubernetesVersionVars(),
  },
  {
    // Only the e2e tier runs it (a real Prometheus behind the API server's service proxy); built last.
    module: "prometheus",
    version: `v${PROMETHEUS_MODULE_VERSION}`,
    binaries: [{ name: "prometheus", pkg: "github.com/prometheus/prometheus/cmd/prometheus" }],
    versionVars: { "github.com/prometheus/common/version.Version": PROMETHEUS_VERSION },
    // Static and file scrape configs only: the cloud service-discovery plugins would triple the build for nothing.
    tags: ["remove_all_sd"],
  },
];
