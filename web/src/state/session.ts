// The session: the token (sessionStorage, so it ends with the tab), and the message the login
// page shows after the server refused it.

const TOKEN_KEY = 'bulwark.token';
const MESSAGE_KEY = 'bulwark.login-message';

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

function storage(): KeyValueStore | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // storage disabled: the session lasts as long as the page
  }
}

let memoryToken: string | null = null;

export function loadToken(store: KeyValueStore | null = storage()): string | null {
  return store ? store.getItem(TOKEN_KEY) : memoryToken;
}

export function saveToken(token: string, store: KeyValueStore | null = storage()): void {
  if (store) store.setItem(TOKEN_KEY, token);
  else memoryToken = token;
}

// Forgets the token; `message` is shown on the login page once.
export function endSession(message = '', store: KeyValueStore | null = storage()): void {
  memoryToken = null;
  if (!store) return;
  store.removeItem(TOKEN_KEY);
  if (message) store.setItem(MESSAGE_KEY, message);
  else store.removeItem(MESSAGE_KEY);
}

export function takeLoginMessage(store: KeyValueStore | null = storage()): string {
  if (!store) return '';
  const message = store.getItem(MESSAGE_KEY) ?? '';
  store.removeItem(MESSAGE_KEY);
  return message;
}
