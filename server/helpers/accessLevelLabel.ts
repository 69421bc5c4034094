const LABELS: Record<string, string> = { public: 'Público', restricted: 'Restrito', secret: 'Sigiloso' };

/** `{{accessLevelLabel level}}` → "Público" / "Restrito" / "Sigiloso". */
export default function accessLevelLabel(level: unknown): string {
  return LABELS[String(level)] ?? String(level);
}
