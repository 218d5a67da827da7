import { useEffect, useState } from 'react';
import { FrameQueue } from './frame-queue';

/**
 * Each chart redraws at most this often while data streams in (the Workers' metrics reach the page twice a second).
 * A redraw costs the main thread tens of milliseconds, and two Workers are competing with it for the cores.
 */
export const CHART_REDRAW_MS = 1000;

/** One queue for every chart of the page: together they redraw at most one per animation frame. */
const charts = new FrameQueue(CHART_REDRAW_MS);

/**
 * `value` as the component should draw it. Where `urgent(shown)` says so (nothing streams, or the change is one a
 * person made and expects to see on every chart at once) the newest value is drawn at once; otherwise in the
 * component's turn in the charts' frame queue, and until then the component keeps drawing the value it has.
 */
export function useFrameValue<T>(value: T, urgent: (shown: T) => boolean): T {
  const [shown, setShown] = useState(value);
  const now = Object.is(value, shown) || urgent(shown);
  // A stable key per component instance: the state setter is one.
  const key = setShown;
  useEffect(() => {
    if (Object.is(value, shown)) charts.cancel(key);
    else if (now) {
      charts.cancel(key);
      setShown(() => value);
    } else charts.schedule(key, () => setShown(() => value));
  }, [value, shown, now, key]);
  useEffect(() => () => charts.cancel(key), [key]);
  return now ? value : shown;
}
