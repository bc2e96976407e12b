import type { AuditAction, BoundingBox, PhotoStatus, Reason, ReasonCode } from "@photogate/core";

export const REASON_LABELS: Record<ReasonCode, string> = {
  NO_FACE: "No face",
  MULTIPLE_FACES: "More than one face",
  SUNGLASSES: "Sunglasses",
  EYES_CLOSED: "Eyes closed",
  FACE_TOO_SMALL: "Face too small",
  POSE: "Head turned or tilted",
  BLURRY: "Blurry",
  MODERATION: "Unsafe content",
  UNSUPPORTED_FORMAT: "Unsupported format",
  CORRUPT: "Corrupt file",
  TOO_LARGE: "Too large",
  TOO_SMALL: "Too small",
  QUOTA_EXCEEDED: "Upload quota exceeded",
};

export const STATUS_COLORS: Record<PhotoStatus, string> = {
  pending: "gray",
  processing: "blue",
  approved: "green",
  rejected: "red",
  failed: "orange",
};

function number(value: number, digits = 1): string {
  return value.toLocaleString("en", { maximumFractionDigits: digits });
}

/** A measured value or limit in the unit its check uses (the processor's validate.ts and image.ts). */
export function formatMeasure(code: ReasonCode, value: number): string {
  switch (code) {
    case "FACE_TOO_SMALL":
      return `${number(value * 100, 1)}% of the photo`;
    case "SUNGLASSES":
    case "EYES_CLOSED":
    case "MODERATION":
      return `${number(value, 1)}% confidence`;
    case "POSE":
      return `${number(value, 1)}°`;
    case "BLURRY":
      return `sharpness ${number(value, 1)}`;
    case "TOO_SMALL":
      return `${number(value, 0)} px`;
    case "NO_FACE":
    case "MULTIPLE_FACES":
      return `${number(value, 0)} ${value === 1 ? "face" : "faces"}`;
    default:
      return number(value, 2);
  }
}

/** "measured 2.1% of the photo, limit 5% of the photo"; undefined when nothing was measured. */
export function describeMeasurement(reason: Reason): string | undefined {
  if (reason.measured === undefined) return undefined;
  const measured = `measured ${formatMeasure(reason.code, reason.measured)}`;
  if (reason.threshold === undefined) return measured;
  // POSE's limit is ± degrees; the others are a minimum or maximum the message names.
  const limit =
    reason.code === "POSE"
      ? `±${formatMeasure("POSE", reason.threshold)}`
      : formatMeasure(reason.code, reason.threshold);
  return `${measured}, limit ${limit}`;
}

/** The face box as CSS percentages over the displayed image, clamped to the image. */
export function faceBoxPercent(box: BoundingBox): {
  left: string;
  top: string;
  width: string;
  height: string;
} {
  const clamp = (v: number) => Math.min(Math.max(v, 0), 1);
  const left = clamp(box.left);
  const top = clamp(box.top);
  const width = clamp(box.left + box.width) - left;
  const height = clamp(box.top + box.height) - top;
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  return { left: pct(left), top: pct(top), width: pct(width), height: pct(height) };
}

export const AUDIT_LABELS: Record<AuditAction, string> = {
  "user.disable": "Disabled user",
  "user.enable": "Enabled user",
  "user.reset-password": "Reset password",
  "user.resend-invite": "Resent invitation",
  "user.sign-out": "Signed user out everywhere",
  "user.add-to-support": "Added to support",
  "user.remove-from-support": "Removed from support",
  "user.delete": "Deleted user",
  "photo.approve": "Approved photo",
  "photo.reject": "Rejected photo",
  "photo.reprocess": "Reprocessed photo",
  "photo.delete": "Deleted photo",
  "photo.set-profile-picture": "Set profile picture",
  "photo.restore": "Restored automatic verdict",
  "user.choose-profile-picture": "Chose own profile picture",
  "photo.clear-profile-picture": "Cleared profile picture",
  "photo.report": "Reported photo",
  "dead-letters.redrive": "Redrove dead letters",
  "user.set-quota": "Changed upload limits",
};

export type AuditTargetRef =
  | { kind: "user"; sub: string; href: string }
  | { kind: "photo"; owner: string; photoId: string; href: string }
  | { kind: "other"; text: string };

/** Where an audit target (`user/{sub}`, `photo/{owner}/{photoId}`) lives in the app. */
export function auditTargetRef(target: string): AuditTargetRef {
  const parts = target.split("/");
  if (parts[0] === "user" && parts.length === 2 && parts[1]) {
    return { kind: "user", sub: parts[1], href: `/users/${parts[1]}` };
  }
  if (parts[0] === "photo" && parts.length === 3 && parts[1] && parts[2]) {
    return { kind: "photo", owner: parts[1], photoId: parts[2], href: `/photos/${parts[1]}/${parts[2]}` };
  }
  return { kind: "other", text: target };
}

/** The fields that differ between an audit entry's before and after, for a one-line summary. */
export function changedFields(
  before: unknown,
  after: unknown,
): { field: string; from: string; to: string }[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
  if (!isObject(before) || !isObject(after)) return [];
  const show = readableValue;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => ({ field: k, from: show(before[k]), to: show(after[k]) }));
}

export function shortId(id: string): string {
  return id.length > 13 ? `${id.slice(0, 8)}…` : id;
}

export function formatTime(iso: string | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}

/** "23 Nov" this year, "23 Nov 2025" before: what fits under a thumbnail. */
export function formatDay(iso: string | undefined, now = new Date()): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const sameYear = date.getFullYear() === now.getFullYear();
  return date.toLocaleDateString("en-GB", {
    day: "numeric",
    month: "short",
    ...(sameYear ? {} : { year: "numeric" }),
  });
}

/** How long something has waited: "5 min", "3 h", "2 d". */
export function formatAge(iso: string | undefined, now = new Date()): string {
  if (!iso) return "—";
  const ms = now.getTime() - new Date(iso).getTime();
  if (Number.isNaN(ms)) return "—";
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/**
 * A date as people type it, to YYYY-MM-DD: "2026-11-27", "27/11/2026", "27.11.2026",
 * "27-11-2026" (day first, as in en-GB), "27 Nov 2026". Undefined when it is not a real date.
 */
export function parseTypedDate(text: string): string | undefined {
  const t = text.trim();
  const months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
  let y: number;
  let m: number;
  let d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  const dayFirst = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
  const named = /^(\d{1,2})\s+([a-z]{3})[a-z]*\.?\s+(\d{4})$/i.exec(t);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (dayFirst) [d, m, y] = [Number(dayFirst[1]), Number(dayFirst[2]), Number(dayFirst[3])];
  else if (named) {
    const month = months.indexOf(named[2]!.toLowerCase());
    if (month < 0) return undefined;
    [d, m, y] = [Number(named[1]), month + 1, Number(named[3])];
  } else return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return undefined;
  return date.toISOString().slice(0, 10);
}

/** A value of an audit entry's before/after as a person reads it (not JSON). */
export function readableValue(value: unknown): string {
  if (value === undefined || value === null) return "—";
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "none";
    return value
      .map((v) =>
        typeof v === "object" && v !== null && "code" in v
          ? `${REASON_LABELS[(v as Reason).code] ?? String((v as Reason).code)}${(v as Reason).message ? `: ${(v as Reason).message}` : ""}`
          : readableValue(v),
      )
      .join("; ");
  }
  if (typeof value === "object")
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${readableValue(v)}`)
      .join(", ");
  return String(value);
}

/** Rows as CSV (RFC 4180): every field quoted, quotes doubled, CRLF line ends. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map((f) => `"${f.replaceAll('"', '""')}"`).join(",")).join("\r\n");
}

/** Bytes as people read them: 250 MB, 1.5 GB (powers of 1024, as the quota config writes them). */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${number(value, unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** The lifecycle rules delete rejected and failed originals; after that date only derivatives remain. */
export function originalFate(expiresAt: string | undefined, now = new Date()): string {
  if (!expiresAt) return "kept";
  return Date.parse(expiresAt) <= now.getTime()
    ? `original deleted on ${formatTime(expiresAt)}`
    : `to be deleted on ${formatTime(expiresAt)}`;
}
