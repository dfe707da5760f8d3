// Evaluates the stack program (stacks/index.ts) under mocks with a given config, as `pulumi up` would.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { MockRecord, promiseOf, setMocks } from "./mocks";

// Internal to the SDK but stable since 3.x: resolves once every outstanding resource registration has finished.
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

/** Waits until the program has registered everything it will register (the engine does the same at exit). */
export function settled(): Promise<void> {
  return waitForRPCs();
}

const PROGRAM = path.resolve(__dirname, "../../stacks/index.ts");

export interface StackRun {
  outputs: Record<string, any>;
  mocks: MockRecord;
}

/** Config with short keys ("canaryWeight") gets the slipway: namespace; full keys are kept. */
export function fullKeys(config: Record<string, string | object | number | boolean>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    out[k.includes(":") ? k : `slipway:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return out;
}

/** Registers the program for `stack` afresh and resolves every exported output. */
export async function runStack(
  stack: string,
  config: Record<string, string | object | number | boolean>,
): Promise<StackRun> {
  const mocks = setMocks(stack);
  pulumi.runtime.setAllConfig(fullKeys(config));
  delete require.cache[PROGRAM];
  const program = require(PROGRAM) as Record<string, pulumi.Input<unknown>>;
  const outputs: Record<string, any> = {};
  for (const [name, value] of Object.entries(program)) outputs[name] = await promiseOf(value);
  await settled();
  return { outputs, mocks };
}

/** Evaluates the program and returns the error it throws, if any, with what it registered before throwing. */
export function loadFailure(
  stack: string,
  config: Record<string, string | object | number | boolean>,
): { error?: Error; mocks: MockRecord } {
  const mocks = setMocks(stack);
  pulumi.runtime.setAllConfig(fullKeys(config));
  delete require.cache[PROGRAM];
  try {
    require(PROGRAM);
    return { mocks };
  } catch (error) {
    return { error: error as Error, mocks };
  }
}

/** The committed config of `stacks/Pulumi.<stack>.yaml`, as strings the way the engine hands them over. */
export function stackFileConfig(stack: string): Record<string, string> {
  const fs = require("fs") as typeof import("fs");
  const YAML = require("yaml") as typeof import("yaml");
  const file = path.resolve(__dirname, `../../stacks/Pulumi.${stack}.yaml`);
  const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.config ?? {})) out[k] = typeof v === "string" ? v : JSON.stringify(v);
  return out;
}
