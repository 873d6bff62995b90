// Consent state of one client from their consent records, for the client page (the gallery gets the same from
// clients.summaries, computed in the catalog's one query).
import type { ClientSummary, Consent } from '../../../src-main/common/api/index.js';

export function consentState(consents: readonly Consent[], now = Date.now()): ClientSummary['consent'] {
  const valid = consents.filter((c) => c.revokedAt === null && (c.expiresAt === null || c.expiresAt > now));
  if (valid.length > 0) return { state: 'in-force', scope: [...new Set(valid.flatMap((c) => c.scope))] };
  if (consents.length === 0) return { state: 'none', scope: [] };
  return { state: consents.some((c) => c.revokedAt === null) ? 'expired' : 'revoked', scope: [] };
}
