import { Anchor, Badge, Button, Card, Group, Image, Paper, Stack, Text, Title } from "@mantine/core";
import { PHOTO_STATUSES, type UserDetail } from "@photogate/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useLocation, useParams } from "wouter";
import { useApi, useRole, useSession } from "../context";
import { formatTime } from "../logic/format";
import { useAction, useConfirm } from "../ui/actions";
import { UserStateBadge } from "../ui/badges";
import { PhotoCard } from "../ui/PhotoCard";
import { EmptyState, ErrorState, ListSkeleton } from "../ui/states";
import { UsagePanel } from "../ui/UsagePanel";

export default function UserDetailPage() {
  const { sub } = useParams<{ sub: string }>();
  const api = useApi();
  const query = useQuery({
    queryKey: ["user", sub],
    queryFn: ({ signal }) => api.call("getUser", { params: { sub }, signal }),
  });
  return (
    <>
      <Anchor component={Link} href="/users" size="sm">
        ← Users
      </Anchor>
      {query.isPending ? (
        <ListSkeleton rows={4} />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <UserView user={query.data} />
      )}
    </>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="fact">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div" className="fact-value">
        {children}
      </Text>
    </div>
  );
}

function UserView({ user }: { user: UserDetail }) {
  const api = useApi();
  const role = useRole();
  const me = useSession()?.claims.sub;
  const [, navigate] = useLocation();
  const [dialog, confirm] = useConfirm();
  const { running, run } = useAction();
  const params = { sub: user.sub };
  const name = user.email ?? user.username;
  const self = me === user.sub;
  const inSupport = user.groups.includes("support");
  const invited = user.status === "FORCE_CHANGE_PASSWORD";

  return (
    <Stack mt="sm" gap="lg">
      {dialog}
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <Group gap="md" wrap="nowrap" align="center">
          {user.profilePhoto ? (
            <Image src={user.profilePhoto.display.url} alt="" w={56} h={56} radius="xl" className="avatar" />
          ) : (
            <div className="avatar avatar-empty" aria-hidden="true">
              {name.slice(0, 1).toUpperCase()}
            </div>
          )}
          <div>
            <Title order={1} size="h2" className="break">
              {name}
            </Title>
            <Group gap={6} mt={4}>
              <UserStateBadge user={user} />
              {user.groups.map((g) => (
                <Badge key={g} variant="outline" color={g === "admins" ? "grape" : "blue"}>
                  {g}
                </Badge>
              ))}
              {self && <Badge variant="outline">you</Badge>}
            </Group>
            <Text size="sm" c="dimmed" mt={4}>
              {user.profilePhoto ? (
                <Anchor component={Link} href={`/photos/${user.sub}/${user.profilePhoto.photoId}`}>
                  Profile picture: photo {user.profilePhoto.photoId.slice(0, 8)}
                </Anchor>
              ) : user.picture ? (
                `Profile picture: ${user.picture} (not a photo of this user)`
              ) : (
                "No profile picture"
              )}
            </Text>
          </div>
        </Group>
      </Group>

      <Paper withBorder p="md">
        <Title order={2} size="h5" mb="sm">
          Actions
        </Title>
        <Group gap="xs" wrap="wrap">
          {user.enabled ? (
            <Button
              color="red"
              variant="light"
              disabled={self}
              onClick={() =>
                confirm({
                  title: "Disable this user?",
                  message: (
                    <>
                      <b>{name}</b> will not be able to sign in, and their sessions stop at the next token
                      refresh. You can enable them again.
                    </>
                  ),
                  confirmLabel: "Disable user",
                  color: "red",
                  reason: { label: "Why (kept in the audit log)", initial: "" },
                  run: ({ reason }) => api.call("disableUser", { params, body: { reason } }),
                  success: `Disabled ${name}`,
                  undo: {
                    label: "Undo",
                    run: () => api.call("enableUser", { params }),
                    success: `Enabled ${name} again`,
                  },
                })
              }
            >
              Disable
            </Button>
          ) : (
            <Button
              color="green"
              variant="light"
              loading={running === "enable"}
              onClick={() =>
                void run("enable", {
                  run: () => api.call("enableUser", { params }),
                  success: `Enabled ${name}`,
                })
              }
            >
              Enable
            </Button>
          )}
          <Button
            variant="default"
            disabled={self}
            onClick={() =>
              confirm({
                title: invited ? "Resend the invitation?" : "Reset this user's password?",
                message: invited
                  ? `${name} has never signed in. They will get a new invitation with a temporary password.`
                  : `${name} will get a code by e-mail and must choose a new password before signing in again.`,
                confirmLabel: invited ? "Resend invitation" : "Reset password",
                color: "orange",
                run: () => api.call("resetPassword", { params }),
                success: invited ? `Invitation sent to ${name}` : `Password reset for ${name}`,
              })
            }
          >
            {invited ? "Resend invitation" : "Reset password"}
          </Button>
          <Button
            variant="default"
            onClick={() =>
              confirm({
                title: "Sign this user out everywhere?",
                message: `Every refresh token of ${name} is revoked; their apps ask them to sign in again within the hour.`,
                confirmLabel: "Sign out everywhere",
                color: "orange",
                run: () => api.call("signOutUser", { params }),
                success: `Signed ${name} out everywhere`,
              })
            }
          >
            Sign out everywhere
          </Button>
          {role === "admins" &&
            (inSupport ? (
              <Button
                variant="default"
                disabled={self}
                onClick={() =>
                  confirm({
                    title: "Remove from support?",
                    message: `${name} will lose access to this admin app at their next sign-in.`,
                    confirmLabel: "Remove from support",
                    color: "red",
                    run: () => api.call("removeFromSupport", { params }),
                    success: `Removed ${name} from support`,
                  })
                }
              >
                Remove from support
              </Button>
            ) : (
              <Button
                variant="default"
                onClick={() =>
                  confirm({
                    title: "Add to support?",
                    message: `${name} will be able to see every user and photo and moderate them.`,
                    confirmLabel: "Add to support",
                    run: () => api.call("addToSupport", { params }),
                    success: `Added ${name} to support`,
                  })
                }
              >
                Add to support
              </Button>
            ))}
          {role === "admins" && (
            <Button
              color="red"
              disabled={self}
              onClick={() =>
                confirm({
                  title: "Delete this user for good?",
                  message: (
                    <>
                      <b>{name}</b> and all their photos (uploads, derived images and records) are deleted.
                      This cannot be undone; the audit log keeps what was done.
                    </>
                  ),
                  confirmLabel: "Delete user and photos",
                  color: "red",
                  run: () => api.call("deleteUser", { params }),
                  removes: [["user", user.sub]],
                  success: (r) =>
                    `Deleted ${name} and ${r.photosDeleted} photo${r.photosDeleted === 1 ? "" : "s"}`,
                  onSuccess: () => navigate("/users"),
                })
              }
            >
              Delete user
            </Button>
          )}
          <Button
            variant="subtle"
            component={Link}
            href={`/audit?target=${encodeURIComponent(`user/${user.sub}`)}`}
          >
            Audit log for this user
          </Button>
        </Group>
        {self && (
          <Text size="xs" c="dimmed" mt="xs">
            Some actions are off for your own account.
          </Text>
        )}
      </Paper>

      <Paper withBorder p="md">
        <div className="facts">
          <Fact label="Sub">
            <span className="mono">{user.sub}</span>
          </Fact>
          <Fact label="Username">
            <span className="mono">{user.username}</span>
          </Fact>
          <Fact label="E-mail verified">{user.emailVerified ? "yes" : "no"}</Fact>
          <Fact label="Cognito status">{user.status}</Fact>
          <Fact label="Created">{formatTime(user.createdAt)}</Fact>
          <Fact label="Updated">{formatTime(user.updatedAt)}</Fact>
          {user.disabledBy && (
            <Fact label="Disabled">
              <span data-testid="disabled-by">
                by {user.disabledBy.email ?? user.disabledBy.by} on {formatTime(user.disabledBy.at)}
                {user.disabledBy.reason ? `: “${user.disabledBy.reason}”` : " (no reason given)"}
              </span>
            </Fact>
          )}
        </div>
      </Paper>

      <UsagePanel sub={user.sub} name={name} />

      <section aria-label="Photos">
        <Group justify="space-between" mb="sm">
          <div>
            <Title order={2} size="h4">
              Photos
            </Title>
            <Text size="sm" data-testid="photo-counts">
              {PHOTO_STATUSES.map((s) => `${user.photoCounts[s]} ${s}`).join(" · ")}
            </Text>
          </div>
          {user.photos.nextToken && (
            <Anchor component={Link} href={`/photos?owner=${user.sub}`} size="sm">
              All photos →
            </Anchor>
          )}
        </Group>
        {user.photos.items.length === 0 ? (
          <Card withBorder>
            <EmptyState title="No photos">This user has not uploaded any photos.</EmptyState>
          </Card>
        ) : (
          <div className="photo-grid">
            {user.photos.items.map((photo) => (
              <PhotoCard key={photo.photoId} photo={photo}>
                {photo.status === "approved" && (
                  <Button
                    size="compact-xs"
                    variant="light"
                    mt={6}
                    fullWidth
                    loading={running === `picture-${photo.photoId}`}
                    onClick={() =>
                      void run(`picture-${photo.photoId}`, {
                        run: () =>
                          api.call("setProfilePicture", {
                            params: { owner: photo.owner, photoId: photo.photoId },
                          }),
                        success: "Profile picture set",
                      })
                    }
                  >
                    Make profile picture
                  </Button>
                )}
              </PhotoCard>
            ))}
          </div>
        )}
      </section>
    </Stack>
  );
}
