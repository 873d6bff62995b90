// One client's project: photos (identity and style), training, the prompt panel and the results, as tabs.
import type { ReactNode } from 'react';

import { href, PROJECT_TABS, type ProjectTab } from '../../app/router.js';
import { useApi } from '../../app/use-api.js';
import { PromptPanel } from '../prompt/PromptPanel.js';
import { ResultsPanel } from '../results/ResultsPanel.js';
import { TrainingPanel } from '../training/TrainingPanel.js';
import { PhotosPanel } from './PhotosPanel.js';

const TAB_LABEL: Record<ProjectTab, string> = { photos: 'Photos', training: 'Training', generate: 'Generate', results: 'Results' };

export function ProjectPage({ projectId, tab }: { projectId: number; tab: ProjectTab }) {
  const shown = useApi('projects.show', { projectId }, ['projects', 'photos', 'masks', 'trainingRuns', 'generations']);
  const project = shown.data?.project;
  const client = useApi('clients.show', project ? { clientId: project.clientId } : null, ['clients']);
  if (shown.error) return <p role="alert" className="error-text">{shown.error.message} {shown.error.hint}</p>;
  if (!shown.data || !project) return <p className="muted">Loading…</p>;
  const panels: Record<ProjectTab, ReactNode> = {
    photos: <PhotosPanel detail={shown.data} />,
    training: <TrainingPanel detail={shown.data} />,
    generate: <PromptPanel project={project} />,
    results: <ResultsPanel project={project} />,
  };
  return (
    <section className="page project" aria-labelledby="project-title">
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <a href={href({ page: 'gallery' })}>Clients</a> / {client.data ? <a href={href({ page: 'client', clientId: project.clientId })}>{client.data.client.name}</a> : '…'}
      </nav>
      <h1 id="project-title">{project.name}</h1>
      <div role="tablist" aria-label="Project" className="tabs">
        {PROJECT_TABS.map((t) => (
          <a key={t} role="tab" aria-selected={t === tab} className={t === tab ? 'tab active' : 'tab'} href={href({ page: 'project', projectId, tab: t })}>{TAB_LABEL[t]}</a>
        ))}
      </div>
      <div role="tabpanel" aria-label={TAB_LABEL[tab]} className="tab-panel">{panels[tab]}</div>
    </section>
  );
}
