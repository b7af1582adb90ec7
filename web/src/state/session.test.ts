import { describe, expect, it } from 'vitest';
import { endSession, loadToken, saveToken, takeLoginMessage, type KeyValueStore } from './session';

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

describe('session', () => {
  it('keeps the token until the session ends, then shows the message once', () => {
    const store = memoryStore();
    expect(loadToken(store)).toBeNull();
    saveToken('bwk_x', store);
    expect(loadToken(store)).toBe('bwk_x');
    endSession('You were logged out: expired.', store);
    expect(loadToken(store)).toBeNull();
    expect(takeLoginMessage(store)).toBe('You were logged out: expired.');
    expect(takeLoginMessage(store)).toBe('');
  });
});
