import { Text } from "@mantine/core";
import type { PhotoDetail } from "@photogate/core";
import { faceBoxPercent } from "../logic/format";

/**
 * The display image (auto-oriented, as the face detector saw it) with the face's bounding box
 * drawn over it. The box is positioned in percentages, so it follows the image at any width.
 * Styles are set through React's style property (the CSSOM), which the CSP allows.
 */
export function FaceImage({ photo }: { photo: PhotoDetail }) {
  const src = photo.urls.display?.url ?? photo.urls.thumbnails.at(-1)?.url;
  if (!src)
    return (
      <div className="face-image face-image-missing">
        <Text c="dimmed" size="sm">
          No derived image: the processor did not get that far
          {photo.failure ? ` (${photo.failure.code})` : ""}.
        </Text>
      </div>
    );
  const box = photo.face ? faceBoxPercent(photo.face.boundingBox) : undefined;
  return (
    <figure className="face-image">
      <div className="face-frame">
        <img src={src} alt={`Upload ${photo.photoId.slice(0, 8)}`} />
        {box && (
          <div
            className="face-box"
            data-testid="face-box"
            style={{ left: box.left, top: box.top, width: box.width, height: box.height }}
            title={`Face, ${photo.face?.confidence.toFixed(1)}% confidence`}
          />
        )}
      </div>
      <figcaption>
        <Text size="xs" c="dimmed">
          {box
            ? `Face box: the most confident of ${photo.face?.count} face${photo.face?.count === 1 ? "" : "s"} found.`
            : "No face was found."}
        </Text>
      </figcaption>
    </figure>
  );
}
