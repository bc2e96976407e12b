import { createContext, type ReactNode, useContext, useSyncExternalStore } from "react";
import type { AdminClient } from "./api/client";
import type { SessionState, SessionStore } from "./auth/session";
import { type AdminRole, adminRole } from "./auth/tokens";
import type { AppConfig } from "./config";

interface AppServices {
  config: AppConfig;
  session: SessionStore;
  api: AdminClient;
}

const ServicesContext = createContext<AppServices | undefined>(undefined);

export function ServicesProvider({ value, children }: { value: AppServices; children: ReactNode }) {
  return <ServicesContext.Provider value={value}>{children}</ServicesContext.Provider>;
}

export function useServices(): AppServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error("useServices outside ServicesProvider");
  return services;
}

export function useApi(): AdminClient {
  return useServices().api;
}

/** The current session; re-renders on sign-in, refresh and sign-out. */
export function useSession(): SessionState | undefined {
  const { session } = useServices();
  return useSyncExternalStore(session.subscribe, session.get);
}

/** The signed-in person's admin role; pages only render inside a session with one. */
export function useRole(): AdminRole {
  const role = adminRole(useSession()?.claims.groups ?? []);
  if (!role) throw new Error("useRole without an admin session");
  return role;
}
