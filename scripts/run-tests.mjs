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

check('typecheck (tsc --noEmit, strict)', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
check('lint (eslint, process boundaries)', 'npx', ['eslint', '--max-warnings', '0', '.']);

const report = join(results, 'vitest.json');
const vitest = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  counts.passed += json.numPassedTests;
  counts.failed += json.numFailedTests;
  counts.skipped += json.numPendingTests + json.numTodoTests;
  // A suite that fails to load has no test results of its own; count it as one failure.
  counts.failed += json.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
} catch {
  counts.failed += 1;
  console.log(`FAIL vitest produced no report (exit ${vitest.status})`);
}

const summary = `${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}`;
writeFileSync(join(results, 'summary.txt'), `${summary}\n`);
console.log(summary);
process.exitCode = counts.failed === 0 && counts.passed > 0 ? 0 : 1;
