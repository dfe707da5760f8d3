// The AWS components. Only stacks that build on AWS require this module, so the local stack never loads the
// AWS, AWSX or EKS SDKs.
export * from "./network";
export * from "./cluster";
export * from "./dataTier";
export * from "./serviceIdentity";
