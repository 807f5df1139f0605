// What an uploaded event image must be, and what is kept of it. The type is
// judged from the bytes (the Content-Type header is the client's word), and the
// image is decoded and encoded again by sharp (libvips): what is served is always
// a fresh WebP of bounded size without the upload's metadata (EXIF, GPS, ICC),
// never a byte the uploader chose.
import { type IMAGE_TYPES, MAX_IMAGE_SIDE } from '@tickets/contract/limits';
import sharp from 'sharp';
import { AppError } from '../errors.ts';

// What an upload may be (MAX_IMAGE_BYTES is the route's body limit: larger is 413
// before any decoding) and the longest side stored (larger is scaled down to fit)
// are the contract's, which the web client checks too.
export { IMAGE_TYPES, MAX_IMAGE_BYTES, MAX_IMAGE_SIDE } from '@tickets/contract/limits';

/**
 * Most pixels decoded: a small PNG can claim a huge canvas (a decompression
 * bomb); 24 MP is beyond any photo an organiser uploads and bounds memory.
 */
const MAX_INPUT_PIXELS = 24_000_000;

export type ImageType = (typeof IMAGE_TYPES)[number];

/** The type the bytes declare by their magic number; undefined for anything else. */
export function sniffImageType(bytes: Buffer): ImageType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP')
    return 'image/webp';
  return undefined;
}

export interface EncodedImage {
  data: Buffer;
  contentType: 'image/webp';
  width: number;
  height: number;
}

const unsupported = (detail: string) => new AppError('UNSUPPORTED_MEDIA_TYPE', detail);

/** Checks the upload and encodes it again; 415 for anything but a readable JPEG, PNG or WebP. */
export async function reencodeImage(bytes: Buffer): Promise<EncodedImage> {
  const declared = sniffImageType(bytes);
  if (!declared) throw unsupported('The image must be a JPEG, PNG or WebP file.');
  const input = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' });
  let format: string | undefined;
  try {
    ({ format } = await input.metadata());
  } catch {
    throw unsupported('The image could not be read.');
  }
  // libvips sniffs the bytes too; it must agree with the magic number.
  if (`image/${format}` !== declared) throw unsupported('The image must be a JPEG, PNG or WebP file.');
  try {
    const { data, info } = await input
      .rotate() // upright as the camera meant it, since the EXIF orientation is dropped
      .resize(MAX_IMAGE_SIDE, MAX_IMAGE_SIDE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 82 })
      .toBuffer({ resolveWithObject: true });
    return { data, contentType: 'image/webp', width: info.width, height: info.height };
  } catch (err) {
    if (err instanceof Error && /pixel limit/i.test(err.message)) {
      throw new AppError('PAYLOAD_TOO_LARGE', `The image may have at most ${MAX_INPUT_PIXELS} pixels.`);
    }
    throw unsupported('The image could not be read.');
  }
}
