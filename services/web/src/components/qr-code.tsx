// A QR code drawn as SVG from the `qrcode` package's module matrix: crisp at any
// size, no canvas, no HTML strings.

import { useMemo } from 'preact/hooks';
import { create } from 'qrcode';

const QUIET_ZONE = 4;

export function QrCode({ value, size = 128, label }: { value: string; size?: number; label: string }) {
  const { path, dimension } = useMemo(() => {
    const { modules } = create(value, { errorCorrectionLevel: 'M' });
    let d = '';
    for (let y = 0; y < modules.size; y++) {
      for (let x = 0; x < modules.size; x++) {
        if (modules.get(y, x)) d += `M${x + QUIET_ZONE} ${y + QUIET_ZONE}h1v1h-1z`;
      }
    }
    return { path: d, dimension: modules.size + 2 * QUIET_ZONE };
  }, [value]);
  return (
    <svg
      class="qr"
      role="img"
      aria-label={label}
      data-qr-value={value}
      width={size}
      height={size}
      viewBox={`0 0 ${dimension} ${dimension}`}
      shape-rendering="crispEdges"
    >
      <rect width={dimension} height={dimension} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
