// Reading from the studio: a call's result that reloads itself when the catalog says that part changed
// (catalog-changed events), so open lists stay current without polling.
import { useCallback, useEffect, useRef, useState } from 'react';

import type { ApiError, ApiMethod, ApiParams, ApiResult, CatalogEntity } from '../../src-main/common/api/index.js';
import { studio } from '../bridge/studio.js';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
}

export function useApi<M extends ApiMethod>(method: M, params: ApiParams<M> | null, reloadOn: readonly CatalogEntity[] = []): Loaded<ApiResult<M>> {
  const [data, setData] = useState<ApiResult<M>>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const key = params === null ? null : JSON.stringify(params);
  const generation = useRef(0);

  const reload = useCallback(() => {
    if (key === null) return;
    const mine = ++generation.current;
    setLoading(true);
    studio.call(method, JSON.parse(key) as ApiParams<M>).then(
      (result) => {
        if (mine !== generation.current) return;
        setData(result);
        setError(undefined);
        setLoading(false);
      },
      (e: ApiError) => {
        if (mine !== generation.current) return;
        setError(e);
        setLoading(false);
      },
    );
  }, [method, key]);

  useEffect(reload, [reload]);
  const entities = reloadOn.join(',');
  useEffect(() => {
    if (entities === '') return undefined;
    const wanted = entities.split(',');
    return studio.on('catalog-changed', (event) => {
      if (wanted.includes(event.entity)) reload();
    });
  }, [entities, reload]);

  return { data, error, loading, reload };
}
