/**
 * Where dataset URLs may point: this site, plus origins a deployment lists in VITE_DATA_ORIGINS (space or comma
 * separated) at build time. The same list goes into the page's Content-Security-Policy (vite.config.ts).
 */
export function allowedDataOrigins(pageOrigin: string, extra: string | undefined): string[] {
  return [pageOrigin, ...(extra ?? '').split(/[\s,]+/).filter(Boolean)];
}
