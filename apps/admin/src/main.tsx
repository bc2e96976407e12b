import "@mantine/core/styles.css";
import "./app.css";
import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { z } from "zod";
import { App } from "./App";
import { ApiError, createAdminClient } from "./api/client";
import { createSessionStore, SESSION_CHANNEL } from "./auth/session";
import { loadConfig } from "./config";
import { ServicesProvider } from "./context";
import { ConfigErrorPage } from "./pages/ConfigErrorPage";
import { theme } from "./theme";
import { ToastProvider } from "./ui/toasts";

const root = createRoot(document.getElementById("root")!);

// The site's CSP allows no inline <style>: Mantine's runtime style tags are off, and its
// stylesheet already carries the default theme's variables.
function Providers({ children }: { children: React.ReactNode }) {
  return (
    <MantineProvider
      theme={theme}
      forceColorScheme="light"
      withCssVariables={false}
      withGlobalClasses={false}
    >
      {children}
    </MantineProvider>
  );
}

async function start() {
  // zod compiles fast parsers with `new Function` when it may; the CSP (no 'unsafe-eval')
  // refuses that, and the refused probe is reported as a violation. Before the first parse.
  z.config({ jitless: true });
  let config: Awaited<ReturnType<typeof loadConfig>>;
  try {
    config = await loadConfig();
  } catch (error) {
    root.render(
      <Providers>
        <ConfigErrorPage message={(error as Error).message} />
      </Providers>,
    );
    return;
  }
  const session = createSessionStore({
    config,
    ...(typeof BroadcastChannel === "undefined" ? {} : { tabs: new BroadcastChannel(SESSION_CHANNEL) }),
  });
  const api = createAdminClient({
    apiUrl: config.apiUrl,
    getToken: (options) => session.accessToken(options),
    onUnauthenticated: () => session.expire("Your session has ended. Sign in again."),
  });
  const queryClient = new QueryClient({
    defaultOptions: {
      queries: {
        // Presigned image URLs last minutes: lists are re-read rather than kept for long.
        staleTime: 30_000,
        // Offline, TanStack Query would pause queries (an endless skeleton): fail and say so.
        networkMode: "always",
        // A refusal or a bad request will not change on retry; a network blip may.
        retry: (count, error) =>
          count < 2 && error instanceof ApiError && (error.code === "NETWORK" || error.status >= 500),
      },
    },
  });
  session.subscribe(() => {
    // Nothing of one person's session may show in the next one's.
    if (!session.get()) queryClient.clear();
  });
  root.render(
    <StrictMode>
      <Providers>
        <ServicesProvider value={{ config, session, api }}>
          <QueryClientProvider client={queryClient}>
            <ToastProvider>
              <App />
            </ToastProvider>
          </QueryClientProvider>
        </ServicesProvider>
      </Providers>
    </StrictMode>,
  );
}

void start();
