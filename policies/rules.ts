// Every policy of the pack, importable without starting it (tests, benchmark, docs); index.ts only wraps these lists.
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
  pdbForMultiReplicaDeployments,
  pdbUnhealthyPodEvictionAlwaysAllow,
  servingObjectsCreateBeforeReplace,
  workloadsSpreadAcrossFailureDomains,
} from "./availability";
import { rdsBackupRetention, rdsDeletionProtection, rdsNotPubliclyAccessible } from "./dataProtection";
import {
  ebsVolumeEncrypted,
  eksSecretsEncrypted,
  elasticacheEncrypted,
  launchTemplateEbsEncrypted,
  rdsPerformanceInsightsEncrypted,
  rdsSnapshotEncrypted,
  rdsStorageEncrypted,
  rdsTlsEnforced,
  s3BucketEncrypted,
  secretsManagerSecretKms,
} from "./encryption";
import { iamNoWildcardActions, workloadsOwnServiceAccount } from "./identity";
import { CheckedResourcePolicy, CheckedStackPolicy } from "./lib/define";
import { namespacesDefaultDenyNetworkPolicy } from "./networking";
import {
  containersDropAllCapabilities,
  containersNoPrivilegeEscalation,
  containersNotPrivileged,
  containersReadOnlyRootFilesystem,
  containersRunAsNonRoot,
  podsNoHostNamespaces,
  podsNoHostPath,
  podsNoRootGroups,
} from "./nonRoot";
import {
  containersDefaultProcMount,
  containersNoHostPorts,
  containersNoHostProbes,
  podsAppArmorProfile,
  podsNoWindowsHostProcess,
  podsRestrictedVolumeTypes,
  podsSafeSysctls,
  podsSeccompConfined,
  podsSeLinuxOptions,
  workloadsCurrentApiVersion,
} from "./podSecurity";
import { notVerifiableAtPreview, stackNotVerifiableAtPreview } from "./previewUnknowns";
import { containerResourceCeilings, containerResourcesRequired, hpaReplicaRange } from "./resourceLimits";
import { containersNoLiteralSecrets } from "./secretEnv";
import {
  containerEphemeralStorageLimits,
  containerImagesDigestPinned,
  containerImagesPinned,
  containerProbesRequired,
  containerReadinessOwnEndpoint,
} from "./workloads";

/** The resource policies that check something; each also feeds the "not verifiable at preview" policy. */
export const checkedResourcePolicies: readonly CheckedResourcePolicy<any>[] = [
  containerResourcesRequired,
  containerResourceCeilings,
  hpaReplicaRange,
  containersRunAsNonRoot,
  containersNotPrivileged,
  containersNoPrivilegeEscalation,
  containersDropAllCapabilities,
  containersReadOnlyRootFilesystem,
  podsNoHostPath,
  podsNoHostNamespaces,
  podsNoRootGroups,
  podsSeccompConfined,
  podsAppArmorProfile,
  podsSeLinuxOptions,
  containersDefaultProcMount,
  podsSafeSysctls,
  containersNoHostPorts,
  containersNoHostProbes,
  podsNoWindowsHostProcess,
  podsRestrictedVolumeTypes,
  workloadsCurrentApiVersion,
  containerImagesPinned,
  containerImagesDigestPinned,
  containerProbesRequired,
  containerReadinessOwnEndpoint,
  containerEphemeralStorageLimits,
  containersNoLiteralSecrets,
  workloadsOwnServiceAccount,
  workloadsSpreadAcrossFailureDomains,
  pdbUnhealthyPodEvictionAlwaysAllow,
  servingObjectsCreateBeforeReplace,
  iamNoWildcardActions,
  rdsStorageEncrypted,
  rdsPerformanceInsightsEncrypted,
  elasticacheEncrypted,
  ebsVolumeEncrypted,
  launchTemplateEbsEncrypted,
  eksSecretsEncrypted,
  secretsManagerSecretKms,
  rdsNotPubliclyAccessible,
  rdsBackupRetention,
  rdsDeletionProtection,
];

export const checkedStackPolicies: readonly CheckedStackPolicy<any>[] = [
  rdsTlsEnforced,
  rdsSnapshotEncrypted,
  s3BucketEncrypted,
  pdbForMultiReplicaDeployments,
  namespacesDefaultDenyNetworkPolicy,
];

export const resourcePolicies: ResourceValidationPolicy[] = [
  ...checkedResourcePolicies,
  notVerifiableAtPreview(checkedResourcePolicies),
];

export const stackPolicies: StackValidationPolicy[] = [
  ...checkedStackPolicies,
  stackNotVerifiableAtPreview(checkedStackPolicies),
];
