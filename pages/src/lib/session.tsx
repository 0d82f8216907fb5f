// Who is signed in, for every page: the user and their permissions, and sign-out.
import { type ComponentChildren, createContext } from "preact";
import { useContext } from "preact/hooks";
import type { UserView } from "../../../shared/api-types";

export interface Session {
  user: UserView;
  can: (permission: string) => boolean;
  /** Re-reads /api/me (after a change to the signed-in user). */
  refresh: () => void;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider(props: { value: Session; children: ComponentChildren }) {
  return <SessionContext.Provider value={props.value}>{props.children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in page");
  return session;
}
