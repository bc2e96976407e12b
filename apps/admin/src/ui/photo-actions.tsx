import { Group, Text } from "@mantine/core";
import type { PhotoDetail, PhotoSummary, ReasonCode } from "@photogate/core";
import { useApi } from "../context";
import type { ConfirmRequest } from "./actions";

export type PhotoRef = Pick<PhotoSummary, "owner" | "photoId" | "status"> & {
  ownerEmail?: string | undefined;
  /** The photo's current reason codes: a rejection keeps the first by default. */
  reasonCodes?: readonly ReasonCode[];
  reasons?: readonly { code: ReasonCode }[];
  thumbnail?: { url: string } | undefined;
  /** Open reports: the queue's tally, or the record's list on the photo page. */
  reports?: { count: number } | undefined;
  openReports?: readonly unknown[] | undefined;
};

/** How many users' reports wait for this photo's review. */
export function openReportCount(p: PhotoRef): number {
  return p.reports?.count ?? p.openReports?.length ?? 0;
}

/** "demo@photogate.local's photo cb764571": how people and photos are named everywhere. */
export function photoName(p: PhotoRef): string {
  return `${p.ownerEmail ?? `owner ${p.owner.slice(0, 8)}`}'s photo ${p.photoId.slice(0, 8)}`;
}

/** The top of a photo's dialog: which photo, whose, so nobody acts on the wrong one. */
export function PhotoSubject({ photo }: { photo: PhotoRef }) {
  return (
    <Group gap="sm" wrap="nowrap" data-testid="dialog-subject">
      {photo.thumbnail && <img className="dialog-thumb" src={photo.thumbnail.url} alt="" />}
      <div>
        <Text size="sm" fw={600}>
          {photo.ownerEmail ?? "Owner without an e-mail"}
        </Text>
        <Text size="xs" className="mono">
          photo {photo.photoId}
        </Text>
      </div>
    </Group>
  );
}

function currentCode(p: PhotoRef): ReasonCode {
  return p.reasonCodes?.[0] ?? p.reasons?.[0]?.code ?? "MODERATION";
}

/** The confirm requests of a photo's review actions, shared by the queue and the photo page. */
export function usePhotoRequests() {
  const api = useApi();
  const params = (p: PhotoRef) => ({ owner: p.owner, photoId: p.photoId });
  const restore = (p: PhotoRef) => ({
    label: "Undo",
    run: () => api.call("restoreVerdict", { params: params(p) }),
    success: `Restored the automatic verdict on ${photoName(p)}`,
  });
  return {
    approve: (p: PhotoRef, onSuccess?: () => void): ConfirmRequest<unknown> => ({
      title: `Approve ${photoName(p)}?`,
      subject: <PhotoSubject photo={p} />,
      message:
        p.status === "approved" && openReportCount(p) > 0
          ? `The photo stays published and shared; its ${openReportCount(p)} report${openReportCount(p) === 1 ? " is" : "s are"} marked handled.`
          : p.status === "rejected"
            ? "This overrides the automatic verdict: the photo is published to the owner and shared."
            : "The photo is published to the owner and shared.",
      confirmLabel: "Approve",
      color: "green",
      reason: {
        label: "Internal note (audit log only, never shown to the user)",
        initial: "Checked by support: meets the photo rules",
      },
      run: ({ reason }) => api.call("approvePhoto", { params: params(p), body: { reason } }),
      success: `Approved ${photoName(p)}`,
      undo: restore(p),
      ...(onSuccess ? { onSuccess } : {}),
    }),
    reject: (p: PhotoRef, onSuccess?: () => void): ConfirmRequest<unknown> => ({
      title: `Reject ${photoName(p)}?`,
      subject: <PhotoSubject photo={p} />,
      message:
        "The owner reads the reason code and the message below; the internal note stays in the audit log.",
      confirmLabel: "Reject",
      color: "red",
      reason: { label: "Internal note (audit log only, never shown to the user)", initial: "" },
      withCode: { initial: currentCode(p) },
      run: ({ reason, code, message }) =>
        api.call("rejectPhoto", { params: params(p), body: { note: reason, code, message } }),
      success: `Rejected ${photoName(p)}`,
      undo: restore(p),
      ...(onSuccess ? { onSuccess } : {}),
    }),
    reprocess: (p: PhotoRef): ConfirmRequest<unknown> => ({
      title: `Reprocess ${photoName(p)}?`,
      subject: <PhotoSubject photo={p} />,
      message:
        "The processor runs again on the original upload with today's rules; its verdict replaces the current one, including a manual review.",
      confirmLabel: "Reprocess",
      color: "orange",
      run: () => api.call("reprocessPhoto", { params: params(p) }),
      success: `Reprocessing ${photoName(p)}: the verdict updates when it finishes`,
    }),
    remove: (p: PhotoRef, onSuccess?: () => void): ConfirmRequest<unknown> => ({
      title: `Delete ${photoName(p)} for good?`,
      subject: <PhotoSubject photo={p} />,
      message:
        "The upload, every derived image and the record are deleted. This cannot be undone; the audit log keeps what was done.",
      confirmLabel: "Delete photo",
      color: "red",
      run: () => api.call("deletePhoto", { params: params(p) }),
      removes: [["photo", p.owner, p.photoId]],
      success: `Deleted ${photoName(p)}`,
      ...(onSuccess ? { onSuccess } : {}),
    }),
    profilePicture: (p: PhotoRef | PhotoDetail) => ({
      run: () => api.call("setProfilePicture", { params: params(p) }),
      success: "Profile picture set",
    }),
  };
}
