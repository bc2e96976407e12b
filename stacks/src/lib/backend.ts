import { isAbsolute, join } from "node:path";
import type { StateBackend } from "@photogate/core";
import { LocalBackend, S3Backend, type TerraformBackend, type TerraformStack } from "cdktf";

export interface BackendOptions {
  /** Directory that relative local state paths resolve against (Terraform runs in cdktf.out). */
  stateDir: string;
}

/**
 * Local state by default; S3 when the environment names a state bucket. S3 locking uses
 * Terraform's native lock file (Terraform ≥ 1.10, OpenTofu ≥ 1.10), so no DynamoDB lock table.
 */
export function configureBackend(
  stack: TerraformStack,
  backend: StateBackend,
  options: BackendOptions,
): TerraformBackend {
  if (backend.type === "local") {
    const path = isAbsolute(backend.path) ? backend.path : join(options.stateDir, backend.path);
    return new LocalBackend(stack, { path });
  }
  const s3 = new S3Backend(stack, {
    bucket: backend.bucket,
    key: backend.key,
    region: backend.region,
    encrypt: true,
  });
  // cdktf 0.21's S3BackendConfig predates `use_lockfile`; the override writes it verbatim.
  s3.addOverride("use_lockfile", true);
  return s3;
}
