// Hash routes, so the bundle works unchanged at http://host:port/ and at studio://app/ (no server routing, and
// library files stay at the page-relative files/<sha256>).
import { useSyncExternalStore } from 'react';

export type Route =
  | { page: 'gallery' }
  | { page: 'project'; projectId: number; tab: ProjectTab }
  | { page: 'client'; clientId: number }
  | { page: 'mask'; projectId: number; photoId: number };

export const PROJECT_TABS = ['photos', 'training', 'generate', 'results'] as const;
export type ProjectTab = (typeof PROJECT_TABS)[number];

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split(/[?&]/)[0]?.split('/') ?? [];
  const n = (i: number) => Number(parts[i]);
  if (parts[0] === 'client' && n(1) > 0) return { page: 'client', clientId: n(1) };
  if (parts[0] === 'project' && n(1) > 0) {
    if (parts[2] === 'mask' && n(3) > 0) return { page: 'mask', projectId: n(1), photoId: n(3) };
    const tab = (PROJECT_TABS as readonly string[]).includes(parts[2] ?? '') ? (parts[2] as ProjectTab) : 'photos';
    return { page: 'project', projectId: n(1), tab };
  }
  return { page: 'gallery' };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'gallery':
      return '#/';
    case 'client':
      return `#/client/${route.clientId}`;
    case 'project':
      return `#/project/${route.projectId}/${route.tab}`;
    case 'mask':
      return `#/project/${route.projectId}/mask/${route.photoId}`;
  }
}

export function navigate(route: Route): void {
  location.hash = href(route);
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => location.hash);
  return parseRoute(hash);
}
