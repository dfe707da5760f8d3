// Encryption: data at rest under KMS (a customer-managed key where the stack asks for one), TLS forced in transit.
// The policies live in the modules below; this module keeps their one import path.
export { awsLabel, checkCustomerKey, EKS_COMPONENT, isAuroraEngine, linkedResources } from "./lib/aws";
export type { KeyConfig } from "./lib/aws";
export {
  ebsVolumeEncrypted,
  eksSecretsEncrypted,
  elasticacheEncrypted,
  launchTemplateEbsEncrypted,
  rdsPerformanceInsightsEncrypted,
  rdsStorageEncrypted,
  secretsManagerSecretKms,
} from "./encryptionAtRest";
export { rdsTlsEnforced } from "./rdsTls";
export { s3BucketEncrypted } from "./s3Encryption";
export type { BucketEncryptionConfig } from "./s3Encryption";
export { rdsSnapshotEncrypted } from "./snapshotEncryption";
