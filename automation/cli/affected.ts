import { execFileSync } from "node:child_process";
import { STAGE_ORDER } from "../../contract/release";
import { setOutput } from "./github";

/** The stacks a pull request can change; `local` is a developer's stack and is never previewed in CI. */
export const CI_STACKS = STAGE_ORDER;

/** Paths whose change never alters what a stack deploys. */
const INERT = [/^docs\//, /^test\//, /^bench\//, /^tools\//, /^\.github\//, /\.md$/, /^\.ci\//, /^\.gitignore$/];
const STACK_FILE = /^stacks\/Pulumi\.([a-z0-9-]+)\.yaml$/;

/**
 * Which stacks a set of changed files affects: a stack file affects its own stack; program, component, policy and
 * dependency changes affect every stack; documentation and tests affect none.
 */
export function affectedStacks(changedFiles: readonly string[]): string[] {
  const hit = new Set<string>();
  for (const file of changedFiles) {
    const stackFile = STACK_FILE.exec(file);
    if (stackFile) {
      if ((CI_STACKS as readonly string[]).includes(stackFile[1])) hit.add(stackFile[1]);
      continue;
    }
    if (INERT.some((re) => re.test(file))) continue;
    return [...CI_STACKS];
  }
  return CI_STACKS.filter((s) => hit.has(s));
}

function changedSince(base: string): string[] {
  const out = execFileSync("git", ["diff", "--name-only", `${base}...HEAD`], { encoding: "utf8" });
  return out.split("\n").filter((l) => l.length > 0);
}

function main(argv: string[]): void {
  const i = argv.indexOf("--base");
  const base = i >= 0 ? argv[i + 1] : undefined;
  if (!base) {
    process.stderr.write("affected: --base REF is required (the commit the pull request is compared with)\n");
    process.exit(1);
  }
  const stacks = affectedStacks(changedSince(base));
  setOutput("stacks", JSON.stringify(stacks));
  process.stdout.write(`${JSON.stringify(stacks)}\n`);
}

if (require.main === module) main(process.argv.slice(2));
