import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure } from './api.js';

export type Resource<T> = { data: T | undefined; error: ApiFailure | undefined; loading: boolean; reload: () => void };

/**
 * Loads `load()` and, with `refreshMs`, again every so often while the page is visible, so a
 * supervisor watching a campaign sees sends and replies arrive without reloading. A reload keeps
 * the last data on screen; a failed one shows the error beside it.
 */
export function useResource<T>(load: () => Promise<T>, deps: unknown[], refreshMs?: number): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiFailure; loading: boolean }>({ loading: true });
  const latest = useRef(0);
  const run = useCallback(() => {
    const ticket = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => ticket === latest.current && setState({ data, loading: false }),
      (err: unknown) => {
        const error = err instanceof ApiFailure ? err : new ApiFailure(0, 'client_error', String(err));
        if (ticket === latest.current) setState((s) => ({ ...s, error, loading: false }));
      },
    );
  }, deps); // the caller names what its load depends on
  useEffect(() => {
    run();
    if (!refreshMs) return;
    const timer = setInterval(() => document.visibilityState === 'visible' && run(), refreshMs);
    return () => clearInterval(timer);
  }, [run, refreshMs]);
  return { data: state.data, error: state.error, loading: state.loading, reload: run };
}
