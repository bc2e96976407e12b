/** One photo's line in the results of a bulk action (or of its Undo). */
export interface BulkResult {
  owner: string;
  photoId: string;
  /** How people name the photo ("demo@…'s photo cb764571"). */
  name: string;
  ok: boolean;
  /** What happened ("approved"), or why not ("failed: …"). */
  text: string;
}

/**
 * Runs `act` on each photo in turn (one call at a time, so a failure names its photo and the
 * rest still run) and says per photo what happened, or why it did not.
 */
export async function runEach<P extends { owner: string; photoId: string }, R>(
  photos: readonly P[],
  options: {
    name(photo: P): string;
    act(photo: P): Promise<R>;
    done(result: R): string;
    failed(error: unknown): string;
  },
): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  for (const photo of photos) {
    const line = { owner: photo.owner, photoId: photo.photoId, name: options.name(photo) };
    try {
      results.push({ ...line, ok: true, text: options.done(await options.act(photo)) });
    } catch (error) {
      results.push({ ...line, ok: false, text: `failed: ${options.failed(error)}` });
    }
  }
  return results;
}
