// The only reader of Pulumi config (the modules of ./config/). `parseStackConfig` is pure so the release driver
// validates the keys it writes with the same schema the program uses; `loadConfig` is the program-side entry. The
// release (the release keys) is stack state, not source: the release record in the store is merged over the stack file
// (`withRelease`).
export { ENVIRONMENTS, environmentOfStack } from "../contract/release";
export type { Environment } from "../contract/release";
export { ConfigError, NAMESPACE } from "./config/errors";
export { GATE_VIAS, STRATEGIES } from "./config/policyTypes";
export type {
  AnalysisProvider,
  ApprovalRule,
  CanaryPolicy,
  FreezeWindow,
  HookJob,
  JobSpec,
  ReleaseHooks,
  Strategy,
} from "./config/policyTypes";
export { ROUTERS } from "./config/types";
export { NOTIFY_EVENTS, NOTIFY_KINDS, PAGERDUTY_URL } from "./config/notifications";
export type { NotificationTarget, NotifyEvent, NotifyKind } from "./config/notifications";
export type {
  AwsConfig,
  LocalConfig,
  ReleaseConfig,
  Router,
  SeccompProfile,
  ServiceSizing,
  StackConfig,
} from "./config/types";
export { parseStackConfig, releaseOf, withRelease } from "./config/parse";
export { catalogueNames } from "./config/catalogue";
export { loadConfig } from "./config/load";
export type { LoadOptions } from "./config/load";
