#!/usr/bin/env node
// Runs every suite (type check, lint, vitest) and prints one summary as the last line:
// "N passed, N failed" (", N skipped" when any). The summary is also written to test-results/summary.txt.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });
const counts = { passed: 0, failed: 0, skipped: 0 };

function check(name, command, args) {
  const started = Date.now();
  const run = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  const ok = run.status === 0;
  counts[ok ? 'passed' : 'failed'] += 1;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

// Emits dist/ too: the CLI, host and server tests run the compiled code, which must match the sources.
check('typecheck and build (tsc, strict)', 'npx', ['tsc', '-p', 'tsconfig.json']);
check('typecheck renderer (tsc -p src-renderer, DOM + TSX)', 'npx', ['tsc', '-p', 'src-renderer/tsconfig.json', '--noEmit']);
check('lint (eslint, process boundaries)', 'npx', ['eslint', '--max-warnings', '0', '.']);

/** Runs one vitest suite with a JSON report and adds its counts; a suite that fails to load counts as a failure. */
function vitest(name, extraArgs) {
  const report = join(results, `${name}.json`);
  const run = spawnSync(
    'npx',
    ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extraArgs],
    { cwd: root, stdio: 'inherit' },
  );
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    counts.passed += json.numPassedTests;
    counts.failed += json.numFailedTests;
    counts.skipped += json.numPendingTests + json.numTodoTests;
    counts.failed += json.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  } catch {
    counts.failed += 1;
    console.log(`FAIL ${name}: vitest produced no report (exit ${run.status})`);
  }
}

// Arguments (e.g. a file filter) apply to the main suite; the browser suite runs only without them.
vitest('vitest', process.argv.slice(2));
if (process.argv.length <= 2) vitest('vitest-e2e', ['--config', 'test/e2e/vitest.config.ts']);

const summary = `${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}`;
writeFileSync(join(results, 'summary.txt'), `${summary}\n`);
console.log(summary);
process.exitCode = counts.failed === 0 && counts.passed > 0 ? 0 : 1;
