/** How many of the chosen examples fall in each class: what a pruned or windowed training set keeps of every class. */
export function classCounts(labels: ArrayLike<number>, indices: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < indices.length; i++) counts[labels[indices[i]]]++;
  return counts;
}
