/** Horizontal flips as the page and the CLI name them; auto decides by dataset. */
export const FLIP_CHOICES = ['auto', 'on', 'off'] as const;
export type FlipChoice = (typeof FLIP_CHOICES)[number];
