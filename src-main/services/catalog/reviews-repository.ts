// Verdicts on generated portraits: the photographer's star rating, favourites and rejections, and the client's
// proofing picks. Rejecting a portrait takes it out of favourites and picks (and favouriting or picking it
// un-rejects it), because a rejected favourite is a contradiction nobody can act on.
import type BetterSqlite3 from 'better-sqlite3';

import { CatalogError, notFound } from './catalog-error.js';
import { toGeneration, type Generation, type GenerationRow } from './generations-repository.js';
import { bool, fields, id as checkId, optionalInteger } from './validate.js';

export interface ReviewChanges {
  /** 1 to 5 stars; null clears the rating. */
  rating?: number | null;
  favourite?: boolean;
  rejected?: boolean;
  picked?: boolean;
}

interface Verdict {
  rating: number | null;
  favourite: boolean;
  rejected: boolean;
  picked: boolean;
}

function checkChanges(input: unknown): ReviewChanges {
  const f = fields(input, 'review', ['rating', 'favourite', 'rejected', 'picked']);
  const changes: ReviewChanges = {};
  if ('rating' in f) changes.rating = optionalInteger(f['rating'], 'rating', 1, 5);
  for (const flag of ['favourite', 'rejected', 'picked'] as const) if (f[flag] !== undefined) changes[flag] = bool(f[flag], flag);
  if (changes.rejected === true && (changes.favourite === true || changes.picked === true)) {
    throw new CatalogError('invalid', 'expected a portrait to be rejected or kept (favourite/picked), received both');
  }
  return changes;
}

function apply(current: Verdict, changes: ReviewChanges): Verdict {
  const next = { ...current, ...changes };
  if (changes.rejected === true) Object.assign(next, { favourite: false, picked: false });
  if (changes.favourite === true || changes.picked === true) next.rejected = false;
  return next;
}

export class ReviewsRepository {
  private readonly selectOne;
  private readonly updateRow;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.selectOne = db.prepare<[number], GenerationRow>('SELECT * FROM generations WHERE id = ?');
    this.updateRow = db.prepare<[number | null, number, number, number, number, number]>(
      'UPDATE generations SET rating = ?, favourite = ?, rejected = ?, picked = ?, reviewed_at = ? WHERE id = ?',
    );
  }

  review(generationId: number, changes: ReviewChanges): Generation {
    return this.reviewMany([generationId], changes)[0] as Generation;
  }

  /** Applies the same verdict to several portraits (a selection in the gallery): all of them or none. */
  reviewMany(generationIds: readonly number[], changes: ReviewChanges): Generation[] {
    const ids = generationIds.map((id) => checkId(id, 'generation id'));
    const checked = checkChanges(changes);
    return this.db.transaction(() => {
      const now = Date.now();
      return ids.map((id) => {
        const row = this.selectOne.get(id);
        if (!row) throw notFound('generation', id);
        const v = apply(toGeneration(row).review, checked);
        this.updateRow.run(v.rating, Number(v.favourite), Number(v.rejected), Number(v.picked), now, id);
        return toGeneration(this.selectOne.get(id) as GenerationRow);
      });
    })();
  }
}
