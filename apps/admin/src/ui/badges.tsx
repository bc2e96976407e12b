import { Badge } from "@mantine/core";
import type { PhotoStatus, UserSummary } from "@photogate/core";
import { STATUS_COLORS } from "../logic/format";

export function PhotoStatusBadge({ status }: { status: PhotoStatus }) {
  return (
    <Badge color={STATUS_COLORS[status]} variant="light" data-status={status} className="no-shrink">
      {status}
    </Badge>
  );
}

export function UserStateBadge({ user }: { user: Pick<UserSummary, "enabled" | "status"> }) {
  if (!user.enabled)
    return (
      <Badge color="red" variant="filled" data-testid="user-state">
        disabled
      </Badge>
    );
  return (
    <Badge color={user.status === "CONFIRMED" ? "green" : "yellow"} variant="light" data-testid="user-state">
      {user.status === "CONFIRMED" ? "active" : user.status.toLowerCase().replace(/_/g, " ")}
    </Badge>
  );
}
