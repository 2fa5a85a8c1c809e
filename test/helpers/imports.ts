import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One import of a source file: what it names, resolved to a file of src/ when it is one of ours. */
export interface Import {
  specifier: string;
  /** The imported module's path relative to src/ (`wire/deliver.ts`), or null for a package or built-in. */
  target: string | null;
  kind: 'static' | 'type' | 'dynamic';
}

/** Every file under `dir` whose name ends with one of `extensions`, as paths relative to `dir`. */
export function filesUnder(dir: string, extensions: readonly string[]): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => extensions.some((extension) => name.endsWith(extension)))
    .sort();
}

/**
 * The imports of one file of `src`, read from its syntax tree (so an import inside a string or a
 * comment is not one): `import … from`, `export … from`, `import x = require()` and `import()`.
 */
export function importsOf(src: string, file: string): Import[] {
  const path = join(src, file);
  const tree = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (specifier: string, kind: Import['kind']) => {
    const local = specifier.startsWith('.')
      ? relative(src, resolve(dirname(path), specifier.replace(/\.js$/, '.ts')))
      : null;
    found.push({ specifier, target: local, kind });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly ? 'type' : 'static');
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly ? 'type' : 'static');
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      add(node.moduleReference.expression.text, node.isTypeOnly ? 'type' : 'static');
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      add(node.arguments[0].text, 'dynamic');
    }
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return found;
}

/**
 * Cycles of the graph, as the files along each, from a depth-first walk: at least one through every
 * knot of files that import each other, which is enough to say there is none.
 */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const onPath: string[] = [];
  const walk = (file: string): void => {
    const at = onPath.indexOf(file);
    if (at !== -1) return void cycles.push([...onPath.slice(at), file]);
    if (seen.has(file)) return;
    seen.add(file);
    onPath.push(file);
    for (const next of graph.get(file) ?? []) walk(next);
    onPath.pop();
  };
  for (const file of [...graph.keys()].sort()) walk(file);
  return cycles;
}
