/**
 * The API key lives in this tab's sessionStorage only: it is gone when the tab closes, never sent
 * to the server except as the Bearer header of /v1 calls, and never put in a cookie or the URL.
 */
const KEY = 'sequent.apiKey';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  signIn: (apiKey: string) => sessionStorage.setItem(KEY, apiKey),
  signOut: () => sessionStorage.removeItem(KEY),
};
