import { useState } from 'preact/hooks';
import { api, ApiFailure, type Workspace } from '../api.js';
import { session } from '../session.js';
import { ErrorNote } from '../components/status.js';

/** Takes an API key, checks it against the API, and keeps it in this tab's session only. */
export function SignIn({ onSignedIn }: { onSignedIn: (workspace: Workspace) => void }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure>();
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { data } = await api.checkKey(key.trim());
      session.signIn(key.trim());
      onSignedIn(data);
    } catch (err) {
      const failure = err as ApiFailure;
      setError(failure.status === 401 ? new ApiFailure(401, failure.code, 'That API key was refused: it is unknown or revoked.') : failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Sequent</h1>
      <p class="muted">Sign in with a workspace API key. It stays in this browser tab and is forgotten when the tab closes.</p>
      <form onSubmit={(e) => void submit(e)}>
        <label for="api-key">API key</label>
        <input id="api-key" name="apiKey" type="password" autoComplete="off" spellcheck={false} placeholder="sk_live_…" required value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        <button type="submit" class="primary" disabled={busy || key.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      <ErrorNote error={error} />
    </main>
  );
}
