import { useCallback, useState } from 'react';
import { useBearer, type Principal } from './api/client';

const KEY = 'steward.session';

export interface Session {
  token: string;
  user: Principal;
}

function stored(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The signed-in person, for this browser tab only (sessionStorage): closing the tab signs out,
 * and two tabs may be two different demo users.
 */
export function useSession(): { session?: Session; signIn(session: Session): void; signOut(): void } {
  const [session, setSession] = useState<Session | undefined>(() => {
    const initial = stored();
    useBearer(initial?.token);
    return initial;
  });
  const signIn = useCallback((next: Session) => {
    sessionStorage.setItem(KEY, JSON.stringify(next));
    useBearer(next.token);
    setSession(next);
  }, []);
  const signOut = useCallback(() => {
    sessionStorage.removeItem(KEY);
    useBearer(undefined);
    setSession(undefined);
  }, []);
  return { session, signIn, signOut };
}
