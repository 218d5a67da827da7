import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
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

/** Every module a file names, type-only imports and re-exports included: what a self-contained folder must keep in. */
function everyImport(file: string): string[] {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const specs: string[] = [];
  const walk = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specs.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      specs.push((node.moduleReference.expression as ts.StringLiteral).text);
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      const arg = node.arguments[0];
      specs.push(arg && ts.isStringLiteral(arg) ? arg.text : '<computed>');
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      specs.push(node.argument.literal.text);
    }
    ts.forEachChild(node, walk);
  };
  walk(src);
  return specs;
}

const VOCABULARY = resolve('src/engine/vocabulary');

/** The imports of a file that leave the vocabulary folder: packages, parent folders, anything not a sibling file. */
function importsLeavingVocabulary(file: string): string[] {
  return everyImport(file).filter((spec) => {
    if (!spec.startsWith('./')) return true;
    const target = resolve(dirname(file), spec);
    return dirname(target) !== VOCABULARY || !existsSync(`${target}.ts`);
  });
}

/** Engine modules among a set of files that lie outside the vocabulary. */
function engineOutsideVocabulary(files: Iterable<string>): string[] {
  return [...files].map((f) => relative(process.cwd(), f)).filter((f) => f.startsWith('src/engine/') && !f.startsWith('src/engine/vocabulary/'));
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

  it('reaches the engine only through src/engine/vocabulary/', () => {
    const { files } = mainThreadImports('src/main.tsx');
    const engine = [...files].filter((f) => f.includes('/src/engine/'));
    expect(engine.length).toBeGreaterThan(0);
    expect(engineOutsideVocabulary(files)).toEqual([]);
    // The check can fail: the engine's config module reaches the quantizer config, which is outside the vocabulary.
    expect(engineOutsideVocabulary(mainThreadImports('src/engine/train/config.ts').files)).toContain('src/engine/quant/config.ts');
  });
});

describe('src/engine/vocabulary/', () => {
  const files = readdirSync(VOCABULARY).filter((f) => f.endsWith('.ts')).map((f) => resolve(VOCABULARY, f));

  it('imports nothing outside its own folder, not even types', () => {
    expect(files.length).toBeGreaterThan(5);
    const leaving = files.flatMap((f) => importsLeavingVocabulary(f).map((spec) => `${relative(process.cwd(), f)} imports ${spec}`));
    expect(leaving).toEqual([]);
    // The check can fail: it sees packages, parent folders and type-only imports.
    expect(importsLeavingVocabulary('src/engine/train/optimizers.ts')).toEqual(
      expect.arrayContaining(['@tensorflow/tfjs', '../nn/params']),
    );
    expect(importsLeavingVocabulary('src/engine/models/types.ts')).toContain('@tensorflow/tfjs');
  });

  it('has no subfolders the check would miss', () => {
    expect(readdirSync(VOCABULARY, { withFileTypes: true }).filter((d) => d.isDirectory())).toEqual([]);
  });
});
