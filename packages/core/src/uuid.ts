import { z } from "zod";
import { isUuid } from "./keys";

/** Lower-case UUID: user-pool subs (also the pool's usernames) and photo ids. */
export const Uuid = z.string().refine(isUuid, { message: "must be a lower-case UUID" });
