// A new client with their consent record (who signed, when, for what, until when, the signed release), and the
// client's project, so the next step is importing their photos.
import { useState, type FormEvent } from 'react';

import { CONSENT_SCOPES, type ConsentScope, type NewConsentParams } from '../../../src-main/common/api/index.js';
import { navigate } from '../../app/router.js';
import { toastError } from '../../app/toasts.js';
import { studio } from '../../bridge/studio.js';
import { Dialog } from '../../components/Dialog.js';

const SCOPE_LABEL: Record<ConsentScope, string> = { training: 'Training a model of their face', generation: 'Generating portraits', portfolio: 'Studio portfolio', marketing: 'Marketing', social_media: 'Social media' };

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function CreateClientDialog({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [signedBy, setSignedBy] = useState('');
  const [signedAt, setSignedAt] = useState(today());
  const [expiresAt, setExpiresAt] = useState('');
  const [scope, setScope] = useState<ConsentScope[]>(['training', 'generation']);
  const [releasePath, setReleasePath] = useState('');
  const [releaseFile, setReleaseFile] = useState<File | null>(null);
  const [withConsent, setWithConsent] = useState(true);
  const [busy, setBusy] = useState(false);

  async function pickRelease() {
    try {
      const { paths } = await studio.call('dialog.open', { kind: 'photos', title: 'Signed release (PDF or photo of the form)' });
      if (paths[0]) setReleasePath(paths[0]);
    } catch (e) {
      toastError('Could not open the file dialog', e);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      let consent: NewConsentParams | undefined;
      if (withConsent) {
        consent = { signedBy: signedBy.trim() || name.trim(), signedAt: new Date(`${signedAt}T12:00:00`).getTime(), scope };
        if (expiresAt) consent.expiresAt = new Date(`${expiresAt}T23:59:59`).getTime();
        // A browser sends the file first (POST /files); the desktop app names it by path.
        if (releaseFile && studio.upload) consent.releaseUpload = { sha256: (await studio.upload(releaseFile)).sha256, name: releaseFile.name };
        else if (releasePath.trim()) consent.releasePath = releasePath.trim();
      }
      const detail = await studio.call('clients.create', { name: name.trim(), ...(email.trim() ? { email: email.trim() } : {}), ...(consent ? { consent } : {}) });
      const project = await studio.call('projects.create', { clientId: detail.client.id, name: `${detail.client.name} — portraits` });
      onClose();
      navigate({ page: 'project', projectId: project.id, tab: 'photos' });
    } catch (e) {
      toastError('The client was not created', e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title="New client" onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <label>Name<input required autoFocus value={name} onChange={(e) => setName(e.target.value)} /></label>
        <label>E-mail (optional)<input type="email" value={email} onChange={(e) => setEmail(e.target.value)} /></label>
        <fieldset>
          <legend><label className="inline"><input type="checkbox" checked={withConsent} onChange={(e) => setWithConsent(e.target.checked)} /> Consent record</label></legend>
          {withConsent && (
            <>
              <label>Signed by<input placeholder="The client, or a parent for a minor" value={signedBy} onChange={(e) => setSignedBy(e.target.value)} /></label>
              <div className="row">
                <label>Signed on<input type="date" required value={signedAt} onChange={(e) => setSignedAt(e.target.value)} /></label>
                <label>Expires (optional)<input type="date" value={expiresAt} min={signedAt} onChange={(e) => setExpiresAt(e.target.value)} /></label>
              </div>
              <div role="group" aria-label="Consent covers" className="checks">
                {CONSENT_SCOPES.map((s) => (
                  <label key={s} className="inline">
                    <input type="checkbox" checked={scope.includes(s)} onChange={(e) => setScope(e.target.checked ? [...scope, s] : scope.filter((x) => x !== s))} />
                    {SCOPE_LABEL[s]}
                  </label>
                ))}
              </div>
              {studio.upload ? (
                <label>
                  Signed release (PDF or a photo of the form, optional)
                  <input type="file" accept=".pdf,application/pdf,image/jpeg,image/png,image/webp,image/tiff" onChange={(e) => setReleaseFile(e.target.files?.[0] ?? null)} />
                </label>
              ) : (
                <label>
                  Signed release (file on the studio computer, optional)
                  <span className="row">
                    <input value={releasePath} placeholder="/home/studio/releases/client.pdf" onChange={(e) => setReleasePath(e.target.value)} />
                    {studio.transport === 'ipc' && <button type="button" onClick={pickRelease}>Choose…</button>}
                  </span>
                </label>
              )}
              {scope.length === 0 && <p className="error-text">Choose at least one use the client agreed to.</p>}
            </>
          )}
        </fieldset>
        <div className="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy || (withConsent && scope.length === 0)}>{busy ? 'Creating…' : 'Create client'}</button>
        </div>
      </form>
    </Dialog>
  );
}
