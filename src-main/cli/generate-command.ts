// `magicapture generate`: portraits of a project from its newest finished training (or --run ID, or --base for
// the base model alone), with the method's defaults for what is not given. Prints each portrait's id, seed and
// file in the library; `magicapture export` delivers them.
import { parseArgs } from 'node:util';

import type { RecipeParams } from '../common/api/methods/generations.js';
import type { Sampler } from '../common/api/types.js';
import { optionalInt, optionalNumber, UsageError } from './args.js';
import { idArg, LIBRARY_OPTION, printJson, printTable, withStudio } from './studio-session.js';

export const GENERATE_USAGE = `magicapture generate --project ID --prompt "a photo of <sks> person, in the style of <style1>"
  [--negative "..."] [--count 4] [--seed N] [--sampler euler_a|euler|ddim|dpmpp_2m_karras] [--steps 50] [--cfg 7]
  [--width 512 --height 512] [--run ID | --base] [--model PATH] [--library DIR] [--json]`;

const OPTIONS = {
  ...LIBRARY_OPTION,
  project: { type: 'string' },
  prompt: { type: 'string' },
  negative: { type: 'string' },
  count: { type: 'string' },
  seed: { type: 'string' },
  sampler: { type: 'string' },
  steps: { type: 'string' },
  cfg: { type: 'string' },
  width: { type: 'string' },
  height: { type: 'string' },
  run: { type: 'string' },
  base: { type: 'boolean' },
  model: { type: 'string' },
} as const;

function put<K extends keyof RecipeParams>(recipe: RecipeParams, key: K, value: RecipeParams[K] | undefined): void {
  if (value !== undefined) recipe[key] = value;
}

export async function generateCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  const projectId = idArg(values.project, '--project');
  if (values.prompt === undefined) throw new UsageError('expected --prompt "…", received nothing');
  if (values.base && values.run !== undefined) throw new UsageError('expected --run ID or --base, received both');
  // The contract checks every value and says what it expected; here they only become numbers.
  const recipe: RecipeParams = { prompt: values.prompt };
  put(recipe, 'negativePrompt', values.negative);
  put(recipe, 'seed', optionalInt(values, 'seed'));
  put(recipe, 'sampler', values.sampler as Sampler | undefined);
  put(recipe, 'steps', optionalInt(values, 'steps'));
  put(recipe, 'cfg', optionalNumber(values, 'cfg'));
  put(recipe, 'width', optionalInt(values, 'width'));
  put(recipe, 'height', optionalInt(values, 'height'));
  const count = optionalInt(values, 'count');
  const trainingRunId = values.base ? null : values.run === undefined ? undefined : idArg(values.run, '--run');
  const session = { library: values.library, hosts: 'spawn' as const, baseModel: values.model === undefined ? undefined : { path: values.model } };
  await withStudio(session, async ({ call, follow, studio }) => {
    const queued = await call('generations.generate', {
      projectId,
      recipe,
      ...(count === undefined ? {} : { count }),
      ...(trainingRunId === undefined ? {} : { trainingRunId }),
    });
    const job = await follow(queued, 'generating');
    const ids = (job.result as { generationIds: number[] }).generationIds;
    const portraits = await Promise.all(ids.map((generationId) => call('generations.show', { generationId })));
    if (values.json) return printJson(portraits);
    printTable(portraits.map((g) => [`generation ${g.id}`, `seed ${g.recipe.seed}`, studio.library.blobs.pathOf(g.imageBlob)]));
  });
}
