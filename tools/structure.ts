/**
 * The house rules a machine can check (docs/design.md, House style): no import circle (type imports included), no
 * source file over 300 lines, no function over 80, automation/ never imports tools/, and stacks/, components/ and
 * policies/ never import automation/. `ts-node tools/structure.ts` prints every breach and exits 1 on any;
 * test/structure.test.ts holds the tree to it.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

export const MAX_FILE_LINES = 300;
export const MAX_FUNCTION_LINES = 80;
const ROOTS = ["automation", "bench", "components", "contract", "policies", "stacks", "test", "tools", "bin"];
const FORBIDDEN: ReadonlyArray<[string, string]> = [
  ["automation/", "tools/"],
  ["stacks/", "automation/"],
  ["components/", "automation/"],
  ["policies/", "automation/"],
  ["contract/", "automation/"],
  ["components/", "stacks/"],
];

export interface Breach {
  rule: "file-size" | "function-size" | "circle" | "layer";
  where: string;
  detail: string;
}

function sourceFiles(repo: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(repo, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      if (entry.isDirectory()) walk(rel);
      else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(rel);
    }
  };
  for (const root of ROOTS) if (fs.existsSync(path.join(repo, root))) walk(root);
  return out.sort();
}

function lineOf(sf: ts.SourceFile, pos: number): number {
  return sf.getLineAndCharacterOfPosition(pos).line + 1;
}

function functionName(node: ts.Node): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name && ts.isIdentifier(named.name)) return named.name.text;
  if (ts.isConstructorDeclaration(node)) return "constructor";
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isCallExpression(parent)) return `callback of ${parent.expression.getText().slice(0, 40)}`;
  return "anonymous function";
}

/** Module specifiers of every import, export-from and require() of a file. */
function specifiers(sf: ts.SourceFile): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) out.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      ((ts.isIdentifier(node.expression) && node.expression.text === "require") ||
        node.expression.kind === ts.SyntaxKind.ImportKeyword) &&
      node.arguments.length === 1 &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      out.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const lit = node.argument.literal;
      if (ts.isStringLiteral(lit)) out.push(lit.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function resolveLocal(repo: string, from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = path.join(path.dirname(from), spec);
  for (const candidate of [
    base,
    `${base}.ts`,
    `${base}.js`,
    path.join(base, "index.ts"),
    path.join(base, "index.js"),
  ]) {
    const full = path.join(repo, candidate);
    if (fs.existsSync(full) && fs.statSync(full).isFile()) return path.normalize(candidate);
  }
  return undefined;
}

function sizeBreaches(file: string, sf: ts.SourceFile, breaches: Breach[]): void {
  const lines = sf.text.split("\n").length - (sf.text.endsWith("\n") ? 1 : 0);
  if (lines > MAX_FILE_LINES) breaches.push({ rule: "file-size", where: file, detail: `${lines} lines` });
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
      const span = lineOf(sf, node.getEnd()) - lineOf(sf, node.getStart(sf)) + 1;
      if (span > MAX_FUNCTION_LINES) {
        breaches.push({
          rule: "function-size",
          where: `${file}:${lineOf(sf, node.getStart(sf))}`,
          detail: `${functionName(node)}: ${span} lines`,
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

/** Every elementary circle's smallest representative, found by Tarjan's strongly connected components. */
function circles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || graph.get(v)?.has(v)) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return out;
}

export function checkStructure(repo: string): Breach[] {
  const breaches: Breach[] = [];
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(repo)) {
    const text = fs.readFileSync(path.join(repo, file), "utf8");
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    sizeBreaches(file, sf, breaches);
    const deps = new Set<string>();
    for (const spec of specifiers(sf)) {
      const target = resolveLocal(repo, file, spec);
      if (!target) continue;
      deps.add(target);
      for (const [from, to] of FORBIDDEN) {
        if (file.startsWith(from) && target.startsWith(to)) {
          breaches.push({ rule: "layer", where: file, detail: `imports ${target} (${from} never imports ${to})` });
        }
      }
    }
    graph.set(file, deps);
  }
  for (const comp of circles(graph)) {
    breaches.push({ rule: "circle", where: comp[0], detail: `${comp.length} files: ${comp.join(" -> ")}` });
  }
  return breaches;
}

if (require.main === module) {
  const found = checkStructure(path.resolve(__dirname, ".."));
  for (const b of found) process.stdout.write(`${b.rule}\t${b.where}\t${b.detail}\n`);
  process.stdout.write(`${found.length} breaches\n`);
  process.exit(found.length > 0 ? 1 : 0);
}
