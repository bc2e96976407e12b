import type { PhotoDetail, PhotoSummary } from "@photogate/core";
import { useApi } from "../context";
import type { ConfirmRequest } from "./actions";

type PhotoRef = Pick<PhotoSummary, "owner" | "photoId" | "status">;

/** The confirm requests of a photo's review actions, shared by the queue and the photo page. */
export function usePhotoRequests() {
  const api = useApi();
  const params = (p: PhotoRef) => ({ owner: p.owner, photoId: p.photoId });
  const short = (p: PhotoRef) => p.photoId.slice(0, 8);
  return {
    approve: (p: PhotoRef, onSuccess?: () => void): ConfirmRequest<unknown> => ({
      title: "Approve this photo?",
      message:
        p.status === "rejected"
          ? "This overrides the automatic verdict: the photo is published to the owner and shared."
          : "The photo is published to the owner and shared.",
      confirmLabel: "Approve",
      color: "green",
      reason: { label: "Why (kept in the audit log)", initial: "Checked by support: meets the photo rules" },
      run: ({ reason }) => api.call("approvePhoto", { params: params(p), body: { reason } }),
      success: `Approved photo ${short(p)}`,
      ...(onSuccess ? { onSuccess } : {}),
    }),
    reject: (p: PhotoRef, onSuccess?: () => void): ConfirmRequest<unknown> => ({
      title: "Reject this photo?",
      message: "The owner sees the reason code you pick; your note stays in the audit log.",
      confirmLabel: "Reject",
      color: "red",
      reason: { label: "Why (kept in the audit log)", initial: "" },
      withCode: true,
      run: ({ reason, code }) => api.call("rejectPhoto", { params: params(p), body: { reason, code } }),
      success: `Rejected photo ${short(p)}`,
      ...(onSuccess ? { onSuccess } : {}),
    }),
    reprocess: (p: PhotoRef): ConfirmRequest<unknown> => ({
      title: "Reprocess this photo?",
      message:
        "The processor runs again on the original upload with today's rules; its verdict replaces the current one, including a manual review.",
      confirmLabel: "Reprocess",
      color: "orange",
      run: () => api.call("reprocessPhoto", { params: params(p) }),
      success: `Reprocessing photo ${short(p)}: the verdict updates when it finishes`,
    }),
    remove: (p: PhotoRef, onSuccess?: () => void): ConfirmRequest<unknown> => ({
      title: "Delete this photo for good?",
      message:
        "The upload, every derived image and the record are deleted. This cannot be undone; the audit log keeps what was done.",
      confirmLabel: "Delete photo",
      color: "red",
      run: () => api.call("deletePhoto", { params: params(p) }),
      removes: [["photo", p.owner, p.photoId]],
      success: `Deleted photo ${short(p)}`,
      ...(onSuccess ? { onSuccess } : {}),
    }),
    profilePicture: (p: PhotoRef | PhotoDetail) => ({
      run: () => api.call("setProfilePicture", { params: params(p) }),
      success: "Profile picture set",
    }),
  };
}
