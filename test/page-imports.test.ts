import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The modules the page's main thread loads: value imports (and dynamic imports) followed from src/main.tsx. Type-only
 * imports vanish at build time; Workers (`new Worker(new URL(…))`) are other threads and are not followed.
 */
function mainThreadImports(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const specs: string[] = [];
    const walk = (node: ts.Node) => {
      if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) {
        const named = node.importClause?.namedBindings;
        const allTypes = !node.importClause?.name && named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
        if (!allTypes) specs.push((node.moduleSpecifier as ts.StringLiteral).text);
      } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier) {
        specs.push((node.moduleSpecifier as ts.StringLiteral).text);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0])) {
        specs.push(node.arguments[0].text);
      }
      ts.forEachChild(node, walk);
    };
    walk(src);
    for (const spec of specs) {
      if (!spec.startsWith('.')) {
        packages.set(spec, file);
        continue;
      }
      const base = resolve(dirname(file), spec.replace(/\?.*$/, ''));
      const found = [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((p) => existsSync(p) && !p.endsWith('/'));
      if (found && /\.(ts|tsx)$/.test(found)) visit(found);
    }
  };
  visit(resolve(entry));
  return { files, packages };
}

describe('the page main thread', () => {
  it('reaches no @tensorflow module: TF.js runs only in the Workers', () => {
    const { files, packages } = mainThreadImports('src/main.tsx');
    expect(files.size).toBeGreaterThan(20);
    const tf = [...packages].filter(([p]) => p.startsWith('@tensorflow/'));
    expect(tf.map(([p, from]) => `${p} (imported by ${from})`)).toEqual([]);
    // The check can fail: the engine's live-sharpness module does import TF.js.
    const sharpness = readFileSync('src/engine/hessian/live-sharpness.ts', 'utf8');
    expect(sharpness).toMatch(/from '\.\/measure'/);
    expect(readFileSync('src/engine/hessian/measure.ts', 'utf8')).toMatch(/@tensorflow\/tfjs/);
  });
});
