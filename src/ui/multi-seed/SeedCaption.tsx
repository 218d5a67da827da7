import { seedInTraining, shownSeed, useRepeatView } from '../../store/multi-seed-store';

/** Says which seed the live views show while (and after) a repetition: otherwise they show the page's seed. */
export function SeedCaption() {
  const state = useRepeatView();
  const now = seedInTraining(state);
  const seed = shownSeed(state);
  if (seed === null) return null;
  return (
    <p className="seed-caption" data-testid="charts-seed">
      {now
        ? `Charts: seed ${now.index} of ${now.of} (seed=${now.seed}), training now.`
        : `Charts: seed=${seed}, the last of ${state.plan?.seeds.length ?? 0} repeated seeds. Reset goes back to the page's seed.`}
    </p>
  );
}
