import { Badge, Button, Group, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { Link, useLocation } from "wouter";
import { useRole, useServices, useSession } from "../context";
import { Logo } from "./Logo";

const NAV = [
  { href: "/users", label: "Users" },
  { href: "/photos", label: "Photos" },
  { href: "/queue", label: "Moderation" },
  { href: "/audit", label: "Audit log" },
  { href: "/dead-letters", label: "Dead letters", adminsOnly: true },
] as const;

export function Shell({ children }: { children: ReactNode }) {
  const { session } = useServices();
  const current = useSession();
  const role = useRole();
  const [location] = useLocation();
  return (
    <div className="shell">
      <header className="shell-header">
        <Link href="/users" className="shell-logo" aria-label="photogate admin home">
          <Logo />
        </Link>
        <nav className="shell-nav" aria-label="Main">
          {NAV.filter((item) => !("adminsOnly" in item) || role === "admins").map((item) => {
            const active = location === item.href || location.startsWith(`${item.href}/`);
            return (
              <Link
                key={item.href}
                href={item.href}
                className={active ? "nav-link active" : "nav-link"}
                aria-current={active ? "page" : undefined}
              >
                {item.label}
              </Link>
            );
          })}
        </nav>
        <Group gap="xs" wrap="nowrap" className="shell-user">
          <Text size="sm" truncate="end" className="shell-email" title={current?.email}>
            {current?.email ?? current?.claims.username}
          </Text>
          <Badge variant="light" color={role === "admins" ? "grape" : "blue"}>
            {role === "admins" ? "admin" : "support"}
          </Badge>
          <Button size="xs" variant="default" onClick={() => void session.signOut()}>
            Sign out
          </Button>
        </Group>
      </header>
      <main className="shell-main">{children}</main>
    </div>
  );
}
