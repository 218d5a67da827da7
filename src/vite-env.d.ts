/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Origins besides this site that dataset URLs may point to (space or comma separated). */
  readonly VITE_DATA_ORIGINS?: string;
}
