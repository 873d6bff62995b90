// Lint with the process boundaries of DESIGN.md §2: the folder says which process a file runs in.
//   src-main/common  imports neither electron nor Node built-ins (it is shared with the sandboxed renderer)
//   src-renderer     imports only src-main/common (through its bridge), never Node or Electron
//   engine/media hosts never import the Electron main process
//   src-main/services (catalog, library, …) never imports electron: main, the studio server and the CLI share it
import { builtinModules } from 'node:module';

import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

const forbid = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'dist-renderer/**', 'native/build/**', 'test-results/**', 'native/lib/tokenizer/unicode-py311.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src-main/common/**/*.ts'],
    rules: forbid(['electron', ...nodeBuiltins], 'src-main/common runs in every process: no electron, no Node built-ins.'),
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: forbid(
      ['electron', ...nodeBuiltins, '**/src-main/!(common)/**', '**/native/**'],
      'The renderer talks to the typed API only: import src-main/common, nothing else from the host.',
    ),
  },
  {
    files: ['src-main/engine-host/**/*.ts', 'src-main/media-host/**/*.ts'],
    rules: forbid(['electron', '**/main/**', '**/server/**'], 'Hosts are child processes: they never import the main process.'),
  },
  {
    files: ['src-main/services/**/*.ts'],
    rules: forbid(['electron'], 'Services are Node-only broker code shared by main, the studio server and the CLI: no electron.'),
  },
  {
    files: ['native/lib/**/*.ts', 'src-main/cli/**/*.ts', 'src-main/server/**/*.ts'],
    rules: forbid(['electron'], 'Only src-main/main and src-main/preload may import electron.'),
  },
);
