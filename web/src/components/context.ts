// What every page may use: the API client and who is logged in.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiClient } from '../api/client';
import type { WhoAmI } from '../api/types';
import type { Route } from '../state/hash';

export interface AppContextValue {
  api: ApiClient;
  user: WhoAmI | null;
  route: Route;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside the app');
  return value;
}
