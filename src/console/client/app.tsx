import { useEffect, useState } from 'preact/hooks';
import { api, whenUnauthorized, type ApiFailure, type Workspace } from './api.js';
import { session } from './session.js';
import { ErrorNote } from './components/status.js';
import { CampaignList } from './pages/campaign-list.js';
import { CampaignPage } from './pages/campaign-page.js';
import { SignIn } from './pages/sign-in.js';

/** `#/campaigns/<id>` or the list: the hash keeps the page without a server route per page. */
function useRoute() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  const match = /^#\/campaigns\/([\w-]+)$/.exec(hash);
  return match ? { page: 'campaign' as const, id: match[1]! } : { page: 'list' as const };
}

export function App() {
  const [workspace, setWorkspace] = useState<Workspace>();
  const [checking, setChecking] = useState(session.key() !== null);
  const [error, setError] = useState<ApiFailure>();
  const [announcement, setAnnouncement] = useState('');
  const route = useRoute();

  const signOut = () => {
    session.signOut();
    setWorkspace(undefined);
  };
  useEffect(() => {
    whenUnauthorized(signOut);
    if (!session.key()) return;
    // A reload keeps the session: the kept key is checked again and its workspace read.
    api.checkKey(session.key()!).then(
      ({ data }) => setWorkspace(data),
      (err: ApiFailure) => (err.status === 401 ? signOut() : setError(err)),
    ).finally(() => setChecking(false));
  }, []);

  if (checking && !workspace) return <main>{error ? <ErrorNote error={error} /> : <p class="muted">Signing in…</p>}</main>;
  if (!workspace) return <SignIn onSignedIn={setWorkspace} />;
  return (
    <>
      <header class="top">
        <a href="#/" class="brand">
          Sequent
        </a>
        <span class="muted">{workspace.name}</span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <p class="notice" role="status" aria-live="polite" data-testid="announcement">
        {announcement}
      </p>
      {route.page === 'campaign' ? <CampaignPage id={route.id} workspace={workspace} announce={setAnnouncement} /> : <CampaignList />}
    </>
  );
}
