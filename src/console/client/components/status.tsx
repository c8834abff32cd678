import { words } from '../format.js';

/** A status as a labelled badge; its colour class comes from the value, the text says it anyway. */
export function Badge({ value, kind }: { value: string | null; kind: 'campaign' | 'health' | 'lead' | 'reply' }) {
  return <span class={`badge badge-${kind}-${value ?? 'none'}`}>{words(value)}</span>;
}

export function ErrorNote({ error }: { error: { code: string; message: string } | undefined }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error.message} <code>{error.code}</code>
    </p>
  );
}
