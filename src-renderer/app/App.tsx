// The shell: a quiet top bar, the page of the current route, the jobs tray and the toasts.
import { useEffect, useState } from 'react';

import { studio, type ConnectionState } from '../bridge/studio.js';
import { ClientPage } from '../features/gallery/ClientPage.js';
import { GalleryPage } from '../features/gallery/GalleryPage.js';
import { MaskEditorPage } from '../features/masks/MaskEditorPage.js';
import { ProjectPage } from '../features/project/ProjectPage.js';
import { JobTray } from './JobTray.js';
import { startJobs } from './jobs-store.js';
import { href, useRoute } from './router.js';
import { Toasts } from './Toasts.js';

export function App() {
  const route = useRoute();
  const [connection, setConnection] = useState<ConnectionState>('open');
  useEffect(() => {
    startJobs();
    return studio.onConnection(setConnection);
  }, []);
  return (
    <div className="app">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="top-bar">
        <a className="brand" href={href({ page: 'gallery' })}>MagiCapture Studio</a>
        {connection === 'closed' && <span className="connection" role="status">Reconnecting to the studio…</span>}
      </header>
      <div className="body">
        <main id="main" className="main" tabIndex={-1}>
          {route.page === 'gallery' && <GalleryPage />}
          {route.page === 'client' && <ClientPage key={route.clientId} clientId={route.clientId} />}
          {route.page === 'project' && <ProjectPage key={route.projectId} projectId={route.projectId} tab={route.tab} />}
          {route.page === 'mask' && <MaskEditorPage key={route.photoId} projectId={route.projectId} photoId={route.photoId} />}
        </main>
        <JobTray />
      </div>
      <Toasts />
    </div>
  );
}
