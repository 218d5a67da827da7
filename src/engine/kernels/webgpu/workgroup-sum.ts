/**
 * WGSL of the reductions that one workgroup finishes itself (BatchNorm's channel sums, the LSQ step gradient, the
 * losses): each thread's `acc` into `sums`, then halves added pairwise, so the order, and with it every rounding,
 * is fixed whatever the GPU's scheduling. `t` is the thread's local index; after it, sums[0] holds the total.
 */
export function workgroupSumDeclaration(size: number): string {
  return `var<workgroup> sums : array<f32, ${size}>;`;
}

export function workgroupSum(size: number): string {
  return `
    sums[t] = acc;
    workgroupBarrier();
    for (var width = ${size / 2}; width > 0; width = width / 2) {
      if (t < width) {
        sums[t] = sums[t] + sums[t + width];
      }
      workgroupBarrier();
    }
  `;
}
