import { Alert, Badge, Button, Group, Kbd, Modal, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { Link, useLocation } from "wouter";
import { useApi, useRole, useServices, useSession } from "../context";
import { Logo } from "./Logo";

const NAV = [
  { href: "/users", label: "Users" },
  { href: "/photos", label: "Photos" },
  { href: "/queue", label: "Moderation" },
  { href: "/audit", label: "Audit log" },
] as const;

const SHORTCUTS: [string, string][] = [
  ["?", "this list"],
  ["j / k, ↓ / ↑, Tab", "next / previous photo in the queue"],
  ["a", "approve the focused photo"],
  ["r", "reject the focused photo"],
  ["x or Space", "mark the focused photo for a bulk action"],
  ["o or Enter (on a card)", "open the focused photo"],
  ["Enter (in a dialog)", "confirm"],
  ["Esc", "cancel a dialog"],
];

function subscribeOnline(onChange: () => void) {
  window.addEventListener("online", onChange);
  window.addEventListener("offline", onChange);
  return () => {
    window.removeEventListener("online", onChange);
    window.removeEventListener("offline", onChange);
  };
}

/** After each navigation: the page's heading names the tab and takes focus (for screen readers). */
function useHeadingFocus(location: string) {
  const first = useRef(true);
  useEffect(() => {
    const main = document.getElementById("main");
    if (!main) return;
    const moveFocus = !first.current;
    first.current = false;
    let focused = false;
    const apply = () => {
      // While the next page's code loads, Suspense keeps the previous page in the DOM, hidden:
      // its heading is not this page's.
      const heading = [...main.querySelectorAll("h1")].find((h) => h.getClientRects().length > 0);
      if (!heading) return;
      document.title = `${heading.textContent} · photogate admin`;
      if (moveFocus && !focused) {
        heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: true });
        focused = document.activeElement === heading;
      }
    };
    apply();
    // Pages load on demand and fill their heading when data arrives: follow them.
    const observer = new MutationObserver(apply);
    observer.observe(main, { childList: true, subtree: true, characterData: true });
    return () => observer.disconnect();
  }, [location]);
}

export function Shell({ children }: { children: ReactNode }) {
  const { session } = useServices();
  const api = useApi();
  const current = useSession();
  const role = useRole();
  const [location] = useLocation();
  const online = useSyncExternalStore(subscribeOnline, () => navigator.onLine);
  const [help, setHelp] = useState(false);
  useHeadingFocus(location);
  const count = useQuery({
    queryKey: ["review-count"],
    queryFn: ({ signal }) => api.call("reviewCount", { signal }),
    refetchInterval: 30_000,
  });
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const t = event.target as HTMLElement | null;
      if (event.key !== "?" || !t || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName)) return;
      if (document.querySelector('[role="dialog"]')) return;
      event.preventDefault();
      setHelp(true);
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const waiting = count.data ? `${count.data.count}${count.data.capped ? "+" : ""}` : undefined;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="shell-header">
        <Link href="/users" className="shell-logo" aria-label="photogate admin home">
          <Logo />
        </Link>
        <nav className="shell-nav" aria-label="Main">
          {NAV.map((item) => {
            const active = location === item.href || location.startsWith(`${item.href}/`);
            return (
              <Link
                key={item.href}
                href={item.href}
                className={active ? "nav-link active" : "nav-link"}
                aria-current={active ? "page" : undefined}
              >
                {item.label}
                {item.href === "/queue" && waiting !== undefined && (
                  <span className="nav-count" data-testid="review-count">
                    <span className="visually-hidden"> (</span>
                    {waiting}
                    <span className="visually-hidden"> waiting)</span>
                  </span>
                )}
              </Link>
            );
          })}
        </nav>
        <Group gap="xs" wrap="nowrap" className="shell-user">
          <Text size="sm" truncate="end" className="shell-email" title={current?.email}>
            {current?.email ?? current?.claims.username}
          </Text>
          <Badge variant="light" color={role === "admins" ? "grape" : "blue"} className="role-badge">
            {role === "admins" ? "admin" : "support"}
          </Badge>
          <Button size="xs" variant="default" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts">
            ?
          </Button>
          <Button size="xs" variant="default" onClick={() => void session.signOut()}>
            Sign out
          </Button>
        </Group>
      </header>
      <main className="shell-main" id="main" tabIndex={-1}>
        {!online && (
          <Alert color="orange" title="You are offline" role="alert" mb="md" data-testid="offline">
            This page cannot reach photogate until the connection is back; what is shown may be out of date.
          </Alert>
        )}
        {children}
      </main>
      <Modal
        opened={help}
        onClose={() => setHelp(false)}
        title="Keyboard shortcuts"
        lockScroll={false}
        closeButtonProps={{ "aria-label": "Close dialog" }}
      >
        <Table aria-label="Keyboard shortcuts">
          <Table.Tbody>
            {SHORTCUTS.map(([keys, what]) => (
              <Table.Tr key={keys}>
                <Table.Th>
                  <Kbd>{keys}</Kbd>
                </Table.Th>
                <Table.Td>{what}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Modal>
    </div>
  );
}
